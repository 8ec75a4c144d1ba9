package dev.comments.events.command;

import dev.comments.events.ThreadId;
import java.time.Instant;

/** Let a locked thread take posts, edits and votes again. */
public record UnlockThread(ThreadId threadId, String moderatorId, Instant at)
    implements ThreadCommand {}
