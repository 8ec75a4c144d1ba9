package dev.comments.query;

/**
 * The sessions signed out on any node, as this node knows them: answered from memory, so checking
 * every request costs no store round trip.
 */
@FunctionalInterface
public interface RevokedSessions {
  boolean isRevoked(String tenant, String sessionId);
}
