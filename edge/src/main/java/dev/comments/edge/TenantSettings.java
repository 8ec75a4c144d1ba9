package dev.comments.edge;

import dev.comments.edge.security.Placeholders;
import java.util.Objects;

/**
 * What the edge knows of a tenant.
 *
 * @param moderatorKey the bearer secret that may lock and unlock the tenant's threads
 */
public record TenantSettings(String moderatorKey) {
  public static final int MIN_MODERATOR_KEY_LENGTH = 16;

  public TenantSettings {
    Objects.requireNonNull(moderatorKey, "moderatorKey");
    if (moderatorKey.length() < MIN_MODERATOR_KEY_LENGTH
        || !moderatorKey.strip().equals(moderatorKey)) {
      throw new IllegalArgumentException(
          "moderatorKey must be at least "
              + MIN_MODERATOR_KEY_LENGTH
              + " characters without surrounding whitespace");
    }
    if (Placeholders.isPlaceholder(moderatorKey)) {
      throw new IllegalArgumentException("moderatorKey is a placeholder (CHANGE-ME)");
    }
  }

  @Override
  public String toString() {
    return "TenantSettings[moderatorKey=<redacted>]";
  }
}
