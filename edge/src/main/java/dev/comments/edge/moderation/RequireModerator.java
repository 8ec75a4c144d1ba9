package dev.comments.edge.moderation;

import dev.comments.edge.TenantSettings;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.security.BearerToken;
import dev.comments.query.Moderators;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Map;
import java.util.Objects;

/**
 * Lets a request through only with a credential of the path's tenant ({@link
 * ModeratorCredentials}), and attaches the {@link Actor}.
 *
 * <p>No credential, a reader's session token or an unknown key is {@code 401 moderator_required}; a
 * moderator token that is unknown, dismissed or does not match is {@code 401
 * moderator_token_invalid}; a credential of another tenant is {@code 403 moderator_wrong_tenant};
 * on admin routes, a moderator is {@code 403 admin_required}.
 */
public final class RequireModerator implements HttpHandler {
  private final ModeratorCredentials credentials;
  private final boolean adminOnly;
  private final HttpHandler next;

  private RequireModerator(ModeratorCredentials credentials, boolean adminOnly, HttpHandler next) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.adminOnly = adminOnly;
    this.next = Objects.requireNonNull(next, "next");
  }

  /** Moderation routes: a moderator of the tenant, or its admin. */
  public static RequireModerator moderator(
      Map<String, TenantSettings> tenants, Moderators moderators, HttpHandler next) {
    return new RequireModerator(new ModeratorCredentials(tenants, moderators), false, next);
  }

  /** The routes that appoint and dismiss moderators: the tenant admin only. */
  public static RequireModerator admin(
      Map<String, TenantSettings> tenants, Moderators moderators, HttpHandler next) {
    return new RequireModerator(new ModeratorCredentials(tenants, moderators), true, next);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String tenant = PathParameters.tenant(exchange);
    String given =
        switch (BearerToken.of(exchange)) {
          case BearerToken.Present(String token) -> token;
          case BearerToken.Absent() -> throw ModeratorCredentials.required();
          case BearerToken.Malformed(String reason) ->
              throw new ApiException(
                  401, "moderator_required", reason, ModeratorCredentials.CHALLENGE);
        };
    Actor actor = credentials.actorOf(tenant, given);
    if (adminOnly && actor.role() != Actor.Role.ADMIN) {
      throw new ApiException(
          403, "admin_required", "only the tenant admin key may appoint and dismiss moderators");
    }
    exchange.putAttachment(Actor.KEY, actor);
    next.handleRequest(exchange);
  }
}
