package dev.comments.events;

import java.time.Instant;
import java.util.List;

/**
 * The author replaced the text of their comment, and its media when {@code media} is not null
 * (version 2; an empty list clears them). Null keeps the media the comment showed, as every edit of
 * version 1 did.
 */
public record CommentEdited(
    String tenant,
    String thread,
    String commentId,
    String editorId,
    String text,
    Instant editedAt,
    List<String> media)
    implements CommentEvent {
  public CommentEdited {
    media = media == null ? null : List.copyOf(media);
  }
}
