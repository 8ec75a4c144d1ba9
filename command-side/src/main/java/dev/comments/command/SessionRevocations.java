package dev.comments.command;

import java.time.Instant;

/**
 * Signs sessions out for good: once {@link #revoke} returns, the revocation is durable and on its
 * way to every node, which refuses the session's token from then until {@code expiresAt}.
 */
public interface SessionRevocations {
  /**
   * @throws Unavailable when the revocation could not be made durable; the caller may retry
   */
  void revoke(String tenant, String sessionId, Instant expiresAt);

  /** The revocation was not acknowledged in time; nothing is known to be revoked. */
  final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
