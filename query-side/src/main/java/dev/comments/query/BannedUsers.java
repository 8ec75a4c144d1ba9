package dev.comments.query;

import java.time.Instant;
import java.util.List;
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

  /** The tenant's bans in force at {@code now}, by user id. */
  List<Ban> bansOf(String tenant, Instant now);

  /** Nobody is banned: for nodes and tests without the projection. */
  BannedUsers NONE =
      new BannedUsers() {
        @Override
        public Optional<Ban> banOf(String tenant, String userId, Instant now) {
          return Optional.empty();
        }

        @Override
        public List<Ban> bansOf(String tenant, Instant now) {
          return List.of();
        }
      };
}
