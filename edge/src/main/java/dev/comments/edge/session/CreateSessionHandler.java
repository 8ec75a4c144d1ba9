package dev.comments.edge.session;

import dev.comments.edge.http.JsonBodyReader;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.PathParameters;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.Instant;
import java.util.Objects;

/** {@code POST /api/v1/tenants/{tenant}/sessions}: a new anonymous session for the tenant. */
public final class CreateSessionHandler implements HttpHandler {
  private final SessionTokens tokens;
  private final JsonBodyReader bodies;

  public CreateSessionHandler(SessionTokens tokens, JsonBodyReader bodies) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    CreateSessionRequest request = CreateSessionRequest.from(bodies.readOptionalObject(exchange));
    IssuedSession issued = tokens.issue(PathParameters.tenant(exchange), request.displayName());
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    JsonResponses.send(
        exchange,
        201,
        new Created(issued.token(), issued.session().sessionId(), issued.session().expiresAt()));
  }

  record Created(String sessionToken, String sessionId, Instant expiresAt) {}
}
