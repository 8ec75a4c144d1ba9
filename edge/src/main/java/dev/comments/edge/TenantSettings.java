package dev.comments.edge;

import dev.comments.edge.abuse.RateLimits;
import dev.comments.edge.security.Placeholders;
import dev.comments.edge.widget.AllowedOrigins;
import java.util.Objects;

/**
 * What the edge knows of a tenant.
 *
 * @param moderatorKey the tenant's shared moderator key: deprecated, accepted for one release as an
 *     admin credential beside {@link TenantModeration#adminKey}; null when the tenant has an admin
 *     key instead
 * @param limits the tenant's limits against abuse ({@link RateLimits#DEFAULTS} on a node unless
 *     configured; {@link RateLimits#OFF} with {@code --rate-limits off})
 * @param allowedOrigins the web origins whose pages may call the tenant's API (CORS): where the
 *     widget is embedded
 * @param moderation the admin key, pre-moderation and flag threshold ({@link
 *     TenantModeration#DEFAULTS})
 */
public record TenantSettings(
    String moderatorKey,
    RateLimits limits,
    AllowedOrigins allowedOrigins,
    TenantModeration moderation) {
  public static final int MIN_MODERATOR_KEY_LENGTH = 16;

  public TenantSettings {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(allowedOrigins, "allowedOrigins");
    Objects.requireNonNull(moderation, "moderation");
    if (moderatorKey == null && moderation.adminKey() == null) {
      throw new IllegalArgumentException(
          "a tenant needs an adminKey (or the deprecated moderatorKey)");
    }
    if (moderatorKey != null
        && (moderatorKey.length() < MIN_MODERATOR_KEY_LENGTH
            || !moderatorKey.strip().equals(moderatorKey))) {
      throw new IllegalArgumentException(
          "moderatorKey must be at least "
              + MIN_MODERATOR_KEY_LENGTH
              + " characters without surrounding whitespace");
    }
    if (moderatorKey != null && Placeholders.isPlaceholder(moderatorKey)) {
      throw new IllegalArgumentException("moderatorKey is a placeholder (CHANGE-ME)");
    }
  }

  /** A tenant without an admin key, moderated by the default policy. */
  public TenantSettings(String moderatorKey, RateLimits limits, AllowedOrigins allowedOrigins) {
    this(moderatorKey, limits, allowedOrigins, TenantModeration.DEFAULTS);
  }

  /** A tenant whose API no other origin's pages may call. */
  public TenantSettings(String moderatorKey, RateLimits limits) {
    this(moderatorKey, limits, AllowedOrigins.NONE);
  }

  /**
   * A tenant without limits against abuse: for tests of everything else, which send more from one
   * address than any limit allows. A node always names its limits (on by default).
   */
  public TenantSettings(String moderatorKey) {
    this(moderatorKey, RateLimits.OFF);
  }

  @Override
  public String toString() {
    return "TenantSettings[moderatorKey=<redacted>, limits="
        + limits
        + ", allowedOrigins="
        + allowedOrigins
        + ", moderation="
        + moderation
        + "]";
  }
}
