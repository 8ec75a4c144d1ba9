package dev.comments.events.command;

import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import java.time.Instant;

/** Vote up, down or clear ({@link VoteDirection#NONE}); the same vote again clears it. */
public record VoteOnComment(
    ThreadId threadId, String commentId, String voterId, VoteDirection direction, Instant at)
    implements ThreadCommand {}
