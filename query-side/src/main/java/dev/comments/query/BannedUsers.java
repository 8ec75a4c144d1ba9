package dev.comments.query;

import java.time.Instant;
import java.util.Optional;

/**
 * The users banned in each tenant, as this node knows them from the log: answered from memory, so
 * every write can be checked without a store round trip.
 */
public interface BannedUsers {
  /** A ban in force: {@code until} null for good. */
  record Ban(String tenant, String userId, Instant until) {}

  /** The user's ban in force at {@code now}, if any. */
  Optional<Ban> banOf(String tenant, String userId, Instant now);

  /** Nobody is banned: for nodes and tests without the projection. */
  BannedUsers NONE = (tenant, userId, now) -> Optional.empty();
}
