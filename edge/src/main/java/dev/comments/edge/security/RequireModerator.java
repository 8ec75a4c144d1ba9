package dev.comments.edge.security;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.PathParameters;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Lets a request through only with the tenant's moderator key as its bearer token ({@code 401
 * moderator_required} otherwise). The key is compared in constant time.
 */
public final class RequireModerator implements HttpHandler {
  private final Map<String, byte[]> keysByTenant;
  private final HttpHandler next;

  public RequireModerator(Map<String, String> keysByTenant, HttpHandler next) {
    Map<String, byte[]> keys = new HashMap<>();
    keysByTenant.forEach((tenant, key) -> keys.put(tenant, key.getBytes(StandardCharsets.UTF_8)));
    this.keysByTenant = Map.copyOf(keys);
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    byte[] expected = keysByTenant.get(PathParameters.tenant(exchange));
    String given = BearerToken.present(BearerToken.of(exchange)).orElse(null);
    if (expected == null
        || given == null
        || !DerivedKeys.constantTimeEquals(given.getBytes(StandardCharsets.UTF_8), expected)) {
      throw new ApiException(
          401,
          "moderator_required",
          "this action needs 'Authorization: Bearer <moderator key>' for this tenant",
          Map.of("WWW-Authenticate", "Bearer realm=\"comments-moderation\""));
    }
    next.handleRequest(exchange);
  }
}
