package dev.comments.events.command;

import dev.comments.events.Author;
import dev.comments.events.ThreadId;
import java.time.Instant;

/** Post a comment; {@code parentId} is {@code null} for a top-level comment. */
public record PostComment(
    ThreadId threadId, String commentId, String parentId, Author author, String text, Instant at)
    implements ThreadCommand {}
