package dev.comments.query;

import java.util.Set;

/**
 * The users each session blocked, as this node knows them: answered from memory, so live delivery
 * can check every message against its reader's blocks.
 */
public interface BlockedUsers {
  /**
   * Blocks one session may hold, so that a node's memory stays bounded whatever one reader does.
   */
  int MAX_PER_SESSION = 1_000;

  /** The ids {@code sessionId} blocked; empty when none. */
  Set<String> blockedBy(String tenant, String sessionId);

  /** Whether {@code sessionId} blocked {@code userId}: asked for each live message it is sent. */
  boolean isBlocked(String tenant, String sessionId, String userId);

  /** No session blocked anyone: for nodes and tests without the sessions' topic. */
  BlockedUsers NONE =
      new BlockedUsers() {
        @Override
        public Set<String> blockedBy(String tenant, String sessionId) {
          return Set.of();
        }

        @Override
        public boolean isBlocked(String tenant, String sessionId, String userId) {
          return false;
        }
      };
}
