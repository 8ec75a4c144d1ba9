package dev.comments.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A comment was posted, at the top of a thread ({@code parentId == null}) or as a reply.
 *
 * <p>Schema version 2 added the author's display name: version 1 carried only {@code authorId}.
 * Version 3 added {@code status}: {@code pending} when pre-moderation holds it, else {@code
 * approved} (what every earlier version was). Version 4 added {@code media}: the ids of the
 * tenant's uploaded images the comment shows, in order (none in every earlier version). Version 5
 * added {@code page}: the page the comment was written on, for moderators, or null (every earlier
 * version, and a post that named none).
 */
public record CommentPosted(
    String tenant,
    String thread,
    String commentId,
    String parentId,
    Author author,
    String text,
    Instant postedAt,
    CommentStatus status,
    List<String> media,
    HostPage page)
    implements CommentEvent {
  @JsonCreator
  public CommentPosted {
    Objects.requireNonNull(status, "status");
    media = media == null ? List.of() : List.copyOf(media);
  }

  /** A comment that shows no media and names no page. */
  public CommentPosted(
      String tenant,
      String thread,
      String commentId,
      String parentId,
      Author author,
      String text,
      Instant postedAt,
      CommentStatus status) {
    this(tenant, thread, commentId, parentId, author, text, postedAt, status, List.of(), null);
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
