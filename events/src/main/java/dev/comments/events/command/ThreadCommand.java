package dev.comments.events.command;

import dev.comments.events.ThreadId;
import java.time.Instant;

/**
 * A request to change a thread. The thread is the aggregate that decides: it knows every comment,
 * its author, depth and votes, and whether it is locked. Time comes with the command, never from
 * the wall clock inside the aggregate.
 */
public sealed interface ThreadCommand
    permits PostComment,
        EditComment,
        DeleteComment,
        VoteOnComment,
        FlagComment,
        ModerateComment,
        LockThread,
        UnlockThread {

  ThreadId threadId();

  /** When the command was sent: the time of its event, and the thread's only clock. */
  Instant at();
}
