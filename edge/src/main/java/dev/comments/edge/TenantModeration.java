package dev.comments.edge;

import dev.comments.edge.security.Placeholders;
import dev.comments.events.moderation.ModerationPolicy;
import java.util.Objects;

/**
 * A tenant's moderation: who administers its moderators, and how its comments are moderated.
 *
 * @param adminKey the tenant admin's bearer secret: it appoints, lists and dismisses moderators
 *     (and may moderate); null when the tenant has only the deprecated shared moderator key
 * @param policy pre-moderation and the flag threshold
 */
public record TenantModeration(String adminKey, ModerationPolicy policy) {
  public static final int MIN_ADMIN_KEY_LENGTH = TenantSettings.MIN_MODERATOR_KEY_LENGTH;

  /** No admin key of its own; the default policy. */
  public static final TenantModeration DEFAULTS =
      new TenantModeration(null, ModerationPolicy.DEFAULTS);

  public TenantModeration {
    Objects.requireNonNull(policy, "policy");
    if (adminKey != null) {
      if (adminKey.length() < MIN_ADMIN_KEY_LENGTH || !adminKey.strip().equals(adminKey)) {
        throw new IllegalArgumentException(
            "adminKey must be at least "
                + MIN_ADMIN_KEY_LENGTH
                + " characters without surrounding whitespace");
      }
      if (Placeholders.isPlaceholder(adminKey)) {
        throw new IllegalArgumentException("adminKey is a placeholder (CHANGE-ME)");
      }
    }
  }

  @Override
  public String toString() {
    return "TenantModeration[adminKey="
        + (adminKey == null ? "none" : "<redacted>")
        + ", policy="
        + policy
        + "]";
  }
}
