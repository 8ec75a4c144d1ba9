package dev.comments.command.thread;

import dev.comments.events.ThreadId;
import java.time.Instant;
import java.util.Objects;

/**
 * Asks a thread, under the idempotency key in the command's metadata ({@link KeyedCommands}),
 * whether it applied that request: the handler answers the first {@link Outcome}, or none, and
 * applies nothing. A retry asks before a check outside the thread that could refuse it now (a
 * medium removed since), so a command that was applied is settled rather than refused. Never
 * stored: it is no part of the events contract.
 */
public record SettleRetry(ThreadId threadId, Instant at) {
  public SettleRetry {
    Objects.requireNonNull(threadId, "threadId");
    Objects.requireNonNull(at, "at");
  }
}
