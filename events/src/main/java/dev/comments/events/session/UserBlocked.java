package dev.comments.events.session;

import dev.comments.events.ThreadId;
import java.time.Instant;
import java.util.Objects;

/**
 * A reader blocked a user: the reader no longer receives that user's comments and votes live, and
 * clients hide their comments. An unblock is a tombstone on the same {@link #keyOf key}.
 *
 * @param blockedId the blocked user's id, as comments name their author
 * @param expiresAt when the blocking session expires: the block matters until then
 */
public record UserBlocked(
    String tenant, String sessionId, String blockedId, Instant expiresAt, Instant blockedAt)
    implements SessionRecord {
  private static final String BLOCKS = "/blocks/";

  public UserBlocked {
    if (!ThreadId.isValidTenant(tenant)) {
      throw new IllegalArgumentException("invalid tenant id: " + tenant);
    }
    if (sessionId == null || sessionId.isBlank() || sessionId.contains("/")) {
      throw new IllegalArgumentException("invalid session id: " + sessionId);
    }
    if (!ThreadId.isValidId(blockedId)) {
      throw new IllegalArgumentException("invalid user id: " + blockedId);
    }
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(blockedAt, "blockedAt");
  }

  @Override
  public String key() {
    return keyOf(tenant, sessionId, blockedId);
  }

  /** One key per (reader, blocked user): compaction keeps the last block or unblock of each. */
  public static String keyOf(String tenant, String sessionId, String blockedId) {
    return tenant + "/" + sessionId + BLOCKS + blockedId;
  }

  /** The session key ({@code tenant/sessionId}) of a block's key, or null for another key. */
  public static String sessionKeyOf(String key) {
    int at = key.indexOf(BLOCKS);
    return at < 0 ? null : key.substring(0, at);
  }

  /** The blocked user of a block's key. */
  public static String blockedIdOf(String key) {
    return key.substring(key.indexOf(BLOCKS) + BLOCKS.length());
  }
}
