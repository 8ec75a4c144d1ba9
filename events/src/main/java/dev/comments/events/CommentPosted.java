package dev.comments.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.time.Instant;
import java.util.Objects;

/**
 * A comment was posted, at the top of a thread ({@code parentId == null}) or as a reply.
 *
 * <p>Schema version 2 added the author's display name: version 1 carried only {@code authorId}.
 * Version 3 added {@code status}: {@code pending} when pre-moderation holds it, else {@code
 * approved} (what every earlier version was).
 */
public record CommentPosted(
    String tenant,
    String thread,
    String commentId,
    String parentId,
    Author author,
    String text,
    Instant postedAt,
    CommentStatus status)
    implements CommentEvent {
  @JsonCreator
  public CommentPosted {
    Objects.requireNonNull(status, "status");
  }

  /** A comment shown at once. */
  public CommentPosted(
      String tenant,
      String thread,
      String commentId,
      String parentId,
      Author author,
      String text,
      Instant postedAt) {
    this(tenant, thread, commentId, parentId, author, text, postedAt, CommentStatus.APPROVED);
  }
}
