package dev.comments.events.command;

import dev.comments.events.ThreadId;
import java.time.Instant;
import java.util.List;

/**
 * Replace the text of a comment; only its author may, and only within the edit window. {@code
 * media} replaces the images it shows (checked like a post's: at most {@link
 * PostComment#MAX_MEDIA}), an empty list clears them, and null keeps them.
 */
public record EditComment(
    ThreadId threadId,
    String commentId,
    String editorId,
    String text,
    Instant at,
    List<String> media)
    implements ThreadCommand {
  public EditComment {
    media = media == null ? null : List.copyOf(media);
  }
}
