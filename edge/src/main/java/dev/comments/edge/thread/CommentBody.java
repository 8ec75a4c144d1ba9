package dev.comments.edge.thread;

import dev.comments.events.Author;
import dev.comments.events.VoteDirection;
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
        VoteDirection.NONE.wireName(),
        all(view.replies() == null ? List.of() : view.replies()),
        view.repliesNextCursor());
  }

  public record AuthorBody(String id, String name) {}

  public record Votes(long up, long down) {}
}
