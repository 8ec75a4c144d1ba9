package dev.comments.edge.thread;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.comments.edge.cdn.Cdn;
import dev.comments.events.Author;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentMedia;
import dev.comments.events.query.CommentView;
import java.time.Instant;
import java.util.List;

/**
 * A comment's JSON, field for field as the v1 contract names them, with {@code myVote} left {@code
 * "none"} so that one encoding serves every reader; pages and live messages both write it. Field
 * order matters: {@code myVote} comes before {@code replies} (see {@link PageBytes}).
 */
public record CommentBody(
    String id,
    String parentId,
    AuthorBody author,
    String text,
    Instant postedAt,
    Instant editedAt,
    boolean deleted,
    Votes votes,
    String status,
    boolean pinned,
    List<MediaBody> media,
    String myVote,
    List<CommentBody> replies,
    String repliesNextCursor) {
  static List<CommentBody> all(List<CommentView> views) {
    return views.stream().map(CommentBody::of).toList();
  }

  public static CommentBody of(CommentView view) {
    Author author = view.author();
    return new CommentBody(
        view.id(),
        view.parentId(),
        author == null ? null : new AuthorBody(author.id(), author.name()),
        view.text(),
        view.postedAt(),
        view.editedAt(),
        view.deleted(),
        new Votes(view.up(), view.down()),
        view.status().wireName(),
        view.pinned(),
        view.media().stream().map(MediaBody::of).toList(),
        VoteDirection.NONE.wireName(),
        all(view.replies() == null ? List.of() : view.replies()),
        view.repliesNextCursor());
  }

  public record AuthorBody(String id, String name) {}

  /**
   * An image the comment shows, where this node's CDN serves it. Type and size are left out while
   * this node has not seen the item's upload.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record MediaBody(
      String mediaId, String url, String contentType, Integer width, Integer height) {
    static MediaBody of(CommentMedia media) {
      return new MediaBody(
          media.mediaId(),
          Cdn.path(media.tenant(), media.mediaId()),
          media.contentType(),
          media.known() ? media.width() : null,
          media.known() ? media.height() : null);
    }
  }

  public record Votes(long up, long down) {}
}
