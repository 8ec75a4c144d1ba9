package dev.comments.events.session;

/**
 * What a session records beside the event log, on its own compacted topic: its sign-out, and the
 * users it blocked. Each record is keyed so that compaction keeps what matters, and each matters
 * only until the session expires.
 */
public sealed interface SessionRecord permits SessionRevoked, UserBlocked {
  String tenant();

  String sessionId();

  /** The record's key on the topic. */
  String key();
}
