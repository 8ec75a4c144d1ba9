package dev.comments.events.moderation;

import dev.comments.events.ThreadId;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tenant admin appointed a moderator: a person with their own token. It travels on the
 * moderators' compacted topic, keyed by {@link #key()}, and every node reads that topic into
 * memory, so a dismissal (a tombstone on the same key) refuses the token everywhere at once.
 *
 * @param moderatorId the id every moderation event names as its actor
 * @param name who the moderator is, for people reading the audit log
 * @param tokenHash the SHA-256 of the token's secret (base64url): the token itself is never kept
 * @param appointedBy who appointed them: {@code admin} (the tenant admin key) or {@code
 *     moderator-key} (the deprecated shared key)
 */
public record ModeratorAppointed(
    String tenant,
    String moderatorId,
    String name,
    String tokenHash,
    String appointedBy,
    Instant appointedAt) {
  /** What a moderator id looks like: base64url, as made by the edge. */
  public static final Pattern MODERATOR_ID = Pattern.compile("[A-Za-z0-9_-]{8,64}");

  public static final int MAX_NAME_LENGTH = 100;

  public ModeratorAppointed {
    if (!ThreadId.isValidTenant(tenant)) {
      throw new IllegalArgumentException("invalid tenant id: " + tenant);
    }
    if (moderatorId == null || !MODERATOR_ID.matcher(moderatorId).matches()) {
      throw new IllegalArgumentException("invalid moderator id: " + moderatorId);
    }
    if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("a moderator's name must be 1 to 100 characters");
    }
    Objects.requireNonNull(tokenHash, "tokenHash");
    Objects.requireNonNull(appointedBy, "appointedBy");
    Objects.requireNonNull(appointedAt, "appointedAt");
  }

  /** The record's key on the topic. */
  public String key() {
    return keyOf(tenant, moderatorId);
  }

  /** One key per moderator: compaction keeps the appointment, or the dismissal's tombstone. */
  public static String keyOf(String tenant, String moderatorId) {
    return tenant + "/" + moderatorId;
  }
}
