package dev.comments.events;

/**
 * Everything that can happen to a comment thread. Each event names its thread, so a stream can be
 * rebuilt from the events alone; its schema version lives in {@link
 * dev.comments.events.codec.EventTypes}.
 */
public sealed interface CommentEvent extends LoggedEvent
    permits CommentPosted,
        CommentEdited,
        CommentDeleted,
        CommentVoted,
        CommentFlagged,
        CommentModerated,
        CommentHeld,
        ThreadLocked,
        ThreadUnlocked {

  @Override
  String tenant();

  String thread();

  default ThreadId threadId() {
    return new ThreadId(tenant(), thread());
  }

  @Override
  default ThreadId stream() {
    return threadId();
  }
}
