package dev.comments.events.command;

import dev.comments.events.ThreadId;
import java.time.Instant;

/** Replace the text of a comment; only its author may, and only within the edit window. */
public record EditComment(
    ThreadId threadId, String commentId, String editorId, String text, Instant at)
    implements ThreadCommand {}
