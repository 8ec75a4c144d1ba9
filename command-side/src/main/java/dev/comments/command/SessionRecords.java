package dev.comments.command;

import java.time.Instant;

/**
 * What a session records for every node: its sign-out, and the users it blocked. Once a method
 * returns, the record is durable and on its way to every node, where it holds until the session
 * expires.
 */
public interface SessionRecords {
  /**
   * @throws Unavailable when the revocation could not be made durable; the caller may retry
   */
  void revoke(String tenant, String sessionId, Instant expiresAt);

  /**
   * The session no longer receives {@code blockedId}'s comments and votes live, until {@code
   * expiresAt} (its own expiry) or an {@link #unblock}.
   *
   * @throws Unavailable when the block could not be made durable; the caller may retry
   */
  void block(String tenant, String sessionId, String blockedId, Instant expiresAt);

  /**
   * @throws Unavailable when the unblock could not be made durable; the caller may retry
   */
  void unblock(String tenant, String sessionId, String blockedId);

  /** The record was not acknowledged in time; nothing is known to have changed. */
  final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
