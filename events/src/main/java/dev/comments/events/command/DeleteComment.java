package dev.comments.events.command;

import dev.comments.events.ThreadId;
import java.time.Instant;

/** Remove a comment; only its author may. */
public record DeleteComment(ThreadId threadId, String commentId, String requesterId, Instant at)
    implements ThreadCommand {}
