package dev.comments.edge.testing;

import dev.comments.command.SessionRevocations;
import dev.comments.query.RevokedSessions;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The revocations topic in one process: what the primary revokes, every edge sharing it refuses.
 * Set {@link #unavailable} to make revoking fail as an unreachable Kafka would.
 */
public final class InMemoryRevocations implements SessionRevocations, RevokedSessions {
  private final Set<String> revoked = ConcurrentHashMap.newKeySet();
  public volatile boolean unavailable;

  @Override
  public void revoke(String tenant, String sessionId, Instant expiresAt) {
    if (unavailable) {
      throw new Unavailable("Kafka is down (test)", null);
    }
    revoked.add(tenant + "/" + sessionId);
  }

  @Override
  public boolean isRevoked(String tenant, String sessionId) {
    return revoked.contains(tenant + "/" + sessionId);
  }
}
