package dev.comments.events.command;

import dev.comments.events.Author;
import dev.comments.events.HostPage;
import dev.comments.events.ThreadId;
import java.time.Instant;
import java.util.List;

/**
 * Post a comment; {@code parentId} is {@code null} for a top-level comment. {@code media} names
 * images of the tenant, uploaded before, that the comment shows (at most {@link #MAX_MEDIA}).
 * {@code page} is the page it was written on, kept for moderators, or null.
 */
public record PostComment(
    ThreadId threadId,
    String commentId,
    String parentId,
    Author author,
    String text,
    Instant at,
    List<String> media,
    HostPage page)
    implements ThreadCommand {
  /** How many media items one comment may show. */
  public static final int MAX_MEDIA = 4;

  public PostComment {
    media = media == null ? List.of() : List.copyOf(media);
  }

  /** A comment without media, naming no page. */
  public PostComment(
      ThreadId threadId,
      String commentId,
      String parentId,
      Author author,
      String text,
      Instant at) {
    this(threadId, commentId, parentId, author, text, at, List.of(), null);
  }
}
