package dev.comments.events.query;

import dev.comments.events.Author;
import dev.comments.events.CommentStatus;
import dev.comments.events.VoteDirection;
import java.time.Instant;
import java.util.List;

/**
 * A comment as readers see it. A deleted comment keeps its place in the tree, without author or
 * text, so that its replies keep their parent.
 *
 * @param replies the replies shown with it, nested
 * @param repliesNextCursor where the rest of a top-level comment's replies start ({@link
 *     FindReplies}), or {@code null} when all are shown
 * @param status where it stands with the moderators; only an approved comment has author and text
 * @param pinned whether a moderator pinned it (pinned comments open the first page)
 * @param media the images it shows, in the order its author gave them; only an approved comment
 *     shows any, and an image a moderator removed is left out
 */
public record CommentView(
    String id,
    String parentId,
    Author author,
    String text,
    Instant postedAt,
    Instant editedAt,
    boolean deleted,
    long up,
    long down,
    VoteDirection myVote,
    List<CommentView> replies,
    String repliesNextCursor,
    CommentStatus status,
    boolean pinned,
    List<CommentMedia> media) {
  public CommentView {
    media = media == null ? List.of() : List.copyOf(media);
  }
}
