package dev.comments.edge.moderation;

import dev.comments.edge.TenantSettings;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.security.BearerToken;
import dev.comments.edge.security.DerivedKeys;
import dev.comments.events.moderation.ModeratorAppointed;
import dev.comments.query.Moderators;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Lets a request through only with a credential of the path's tenant, and attaches the {@link
 * Actor}: a moderator's own token (while the moderator is appointed, as this node's memory of the
 * moderators' topic says), the tenant admin key, or the deprecated shared moderator key (an admin
 * credential for one release). Keys are compared in constant time.
 *
 * <p>No credential, a reader's session token or an unknown key is {@code 401 moderator_required}; a
 * moderator token that is unknown, dismissed or does not match is {@code 401
 * moderator_token_invalid}; a credential of another tenant is {@code 403 moderator_wrong_tenant};
 * on admin routes, a moderator is {@code 403 admin_required}.
 */
public final class RequireModerator implements HttpHandler {
  private static final Map<String, String> CHALLENGE =
      Map.of("WWW-Authenticate", "Bearer realm=\"comments-moderation\"");

  private final Map<String, byte[]> adminKeys;
  private final Map<String, byte[]> sharedKeys;
  private final Moderators moderators;
  private final boolean adminOnly;
  private final HttpHandler next;

  private RequireModerator(
      Map<String, TenantSettings> tenants,
      Moderators moderators,
      boolean adminOnly,
      HttpHandler next) {
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
    this.adminOnly = adminOnly;
    this.next = Objects.requireNonNull(next, "next");
  }

  /** Moderation routes: a moderator of the tenant, or its admin. */
  public static RequireModerator moderator(
      Map<String, TenantSettings> tenants, Moderators moderators, HttpHandler next) {
    return new RequireModerator(tenants, moderators, false, next);
  }

  /** The routes that appoint and dismiss moderators: the tenant admin only. */
  public static RequireModerator admin(
      Map<String, TenantSettings> tenants, Moderators moderators, HttpHandler next) {
    return new RequireModerator(tenants, moderators, true, next);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String tenant = PathParameters.tenant(exchange);
    String given =
        switch (BearerToken.of(exchange)) {
          case BearerToken.Present(String token) -> token;
          case BearerToken.Absent() -> throw required();
          case BearerToken.Malformed(String reason) ->
              throw new ApiException(401, "moderator_required", reason, CHALLENGE);
        };
    Actor actor = actorOf(tenant, given);
    if (adminOnly && actor.role() != Actor.Role.ADMIN) {
      throw new ApiException(
          403, "admin_required", "only the tenant admin key may appoint and dismiss moderators");
    }
    exchange.putAttachment(Actor.KEY, actor);
    next.handleRequest(exchange);
  }

  private Actor actorOf(String tenant, String given) {
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

  private static ApiException required() {
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
