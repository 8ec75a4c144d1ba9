package dev.comments.edge.moderation;

import dev.comments.edge.TenantSettings;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.security.DerivedKeys;
import dev.comments.events.moderation.ModeratorAppointed;
import dev.comments.query.Moderators;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which credential moderates which tenant: a moderator's own token (while the moderator is
 * appointed, as this node's memory of the moderators' topic says), the tenant admin key, or the
 * deprecated shared moderator key (an admin credential for one release). Keys are compared in
 * constant time. {@link RequireModerator} asks it on each request, a moderator's live queue on
 * connecting and again while it runs, so that a dismissal ends the feed too.
 */
public final class ModeratorCredentials {
  static final Map<String, String> CHALLENGE =
      Map.of("WWW-Authenticate", "Bearer realm=\"comments-moderation\"");

  private final Map<String, byte[]> adminKeys;
  private final Map<String, byte[]> sharedKeys;
  private final Moderators moderators;

  public ModeratorCredentials(Map<String, TenantSettings> tenants, Moderators moderators) {
    Map<String, byte[]> admin = new HashMap<>();
    Map<String, byte[]> shared = new HashMap<>();
    tenants.forEach(
        (tenant, settings) -> {
          if (settings.moderation().adminKey() != null) {
            admin.put(tenant, bytes(settings.moderation().adminKey()));
          }
          if (settings.moderatorKey() != null) {
            shared.put(tenant, bytes(settings.moderatorKey()));
          }
        });
    this.adminKeys = Map.copyOf(admin);
    this.sharedKeys = Map.copyOf(shared);
    this.moderators = Objects.requireNonNull(moderators, "moderators");
  }

  /**
   * Who {@code given} is for {@code tenant}.
   *
   * @throws ApiException {@code 401 moderator_token_invalid} for a moderator token that is unknown,
   *     dismissed or does not match, {@code 403 moderator_wrong_tenant} for a credential of another
   *     tenant, {@code 401 moderator_required} for anything else
   */
  public Actor actorOf(String tenant, String given) {
    byte[] key = bytes(given);
    if (equal(adminKeys.get(tenant), key)) {
      return new Actor(tenant, Actor.ADMIN, Actor.Role.ADMIN);
    }
    if (equal(sharedKeys.get(tenant), key)) {
      return new Actor(tenant, Actor.SHARED_KEY, Actor.Role.ADMIN);
    }
    Optional<ModeratorTokens.Parsed> parsed = ModeratorTokens.parse(given);
    if (parsed.isPresent()) {
      ModeratorTokens.Parsed token = parsed.get();
      Optional<ModeratorAppointed> appointed =
          moderators
              .find(token.tenant(), token.moderatorId())
              .filter(m -> ModeratorTokens.matches(token, m));
      if (appointed.isEmpty()) {
        throw new ApiException(
            401,
            "moderator_token_invalid",
            "the moderator token is unknown, or its moderator was dismissed",
            CHALLENGE);
      }
      if (!token.tenant().equals(tenant)) {
        throw wrongTenant();
      }
      return new Actor(tenant, token.moderatorId(), Actor.Role.MODERATOR);
    }
    for (Map<String, byte[]> keys : List.of(adminKeys, sharedKeys)) {
      for (byte[] other : keys.values()) {
        if (equal(other, key)) {
          throw wrongTenant();
        }
      }
    }
    throw required();
  }

  /**
   * Whether {@code given} still moderates {@code tenant}: false once its moderator is dismissed.
   */
  public boolean stillValid(String tenant, String given) {
    try {
      actorOf(tenant, given);
      return true;
    } catch (ApiException e) {
      return false;
    }
  }

  /** {@code 401 moderator_required}: no credential was given. */
  public static ApiException required() {
    return new ApiException(
        401,
        "moderator_required",
        "this action needs 'Authorization: Bearer <moderator token>' of this tenant"
            + " (or its admin key); a reader's session may not moderate",
        CHALLENGE);
  }

  private static ApiException wrongTenant() {
    return new ApiException(
        403, "moderator_wrong_tenant", "the credential belongs to another tenant's moderation");
  }

  private static boolean equal(byte[] expected, byte[] given) {
    return expected != null && DerivedKeys.constantTimeEquals(given, expected);
  }

  private static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
