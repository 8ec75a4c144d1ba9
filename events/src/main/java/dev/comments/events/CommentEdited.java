package dev.comments.events;

import java.time.Instant;

/** The author replaced the text of their comment. */
public record CommentEdited(
    String tenant, String thread, String commentId, String editorId, String text, Instant editedAt)
    implements CommentEvent {}
