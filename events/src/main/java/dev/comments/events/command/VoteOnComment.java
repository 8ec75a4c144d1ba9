package dev.comments.events.command;

import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import java.time.Instant;

/**
 * Set a voter's stance on a comment: up, down, or {@link VoteDirection#NONE} to clear it. The
 * stance already there again changes nothing.
 */
public record VoteOnComment(
    ThreadId threadId, String commentId, String voterId, VoteDirection direction, Instant at)
    implements ThreadCommand {}
