package dev.comments.events.session;

import dev.comments.events.ThreadId;
import java.time.Instant;
import java.util.Objects;

/**
 * A session was signed out: its token must be refused on every node until it expires. It travels on
 * the revocations topic, not on the event log: it belongs to no thread, so it has no stream and no
 * sequence number, and it may be forgotten once the session has expired.
 *
 * @param expiresAt when the session's token expires anyway; the revocation matters until then
 */
public record SessionRevoked(String tenant, String sessionId, Instant expiresAt, Instant revokedAt)
    implements SessionRecord {
  public SessionRevoked {
    if (!ThreadId.isValidTenant(tenant)) {
      throw new IllegalArgumentException("invalid tenant id: " + tenant);
    }
    if (sessionId == null || sessionId.isBlank() || sessionId.contains("/")) {
      throw new IllegalArgumentException("invalid session id: " + sessionId);
    }
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(revokedAt, "revokedAt");
  }

  /** The record's key on the topic: one per session, so compaction keeps one record each. */
  @Override
  public String key() {
    return tenant + "/" + sessionId;
  }
}
