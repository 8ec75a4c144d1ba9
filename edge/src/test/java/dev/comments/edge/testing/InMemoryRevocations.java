package dev.comments.edge.testing;

import dev.comments.command.SessionRecords;
import dev.comments.query.RevokedSessions;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions' topic in one process: what the primary revokes, every edge sharing it refuses;
 * blocks are kept beside the revocations. Set {@link #unavailable} to make revoking fail as an
 * unreachable Kafka would.
 */
public final class InMemoryRevocations implements SessionRecords, RevokedSessions {
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
  public void block(String tenant, String sessionId, String blockedId, Instant expiresAt) {
    revoke(tenant + "/blocks", sessionId + "/" + blockedId, expiresAt);
  }

  @Override
  public void unblock(String tenant, String sessionId, String blockedId) {
    if (unavailable) {
      throw new Unavailable("Kafka is down (test)", null);
    }
    revoked.remove(tenant + "/blocks/" + sessionId + "/" + blockedId);
  }

  @Override
  public boolean isRevoked(String tenant, String sessionId) {
    return revoked.contains(tenant + "/" + sessionId);
  }
}
