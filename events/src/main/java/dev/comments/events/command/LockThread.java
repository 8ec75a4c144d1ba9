package dev.comments.events.command;

import dev.comments.events.ThreadId;
import java.time.Instant;

/** Stop a thread from taking posts, edits and votes. */
public record LockThread(ThreadId threadId, String moderatorId, Instant at)
    implements ThreadCommand {}
