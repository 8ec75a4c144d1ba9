package dev.comments.edge.session;

import dev.comments.edge.http.PathParameters;
import dev.comments.edge.security.BearerToken;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * Verifies the bearer session token for the tenant in the path and attaches the {@link Session}. On
 * writes it is required ({@code 401 session_required}); on reads it is optional, but a token that
 * is sent must still be valid, so a client learns at once that its session went bad.
 */
public final class RequireSession implements HttpHandler {
  private final SessionTokens tokens;
  private final boolean required;
  private final HttpHandler next;

  private RequireSession(SessionTokens tokens, boolean required, HttpHandler next) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.required = required;
    this.next = Objects.requireNonNull(next, "next");
  }

  public static RequireSession required(SessionTokens tokens, HttpHandler next) {
    return new RequireSession(tokens, true, next);
  }

  public static RequireSession optional(SessionTokens tokens, HttpHandler next) {
    return new RequireSession(tokens, false, next);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    switch (BearerToken.of(exchange)) {
      case BearerToken.Absent() -> {
        if (required) {
          throw SessionTokens.unauthorized(
              "session_required",
              "this request needs 'Authorization: Bearer <sessionToken>';"
                  + " create a session with POST /api/v1/tenants/{tenant}/sessions");
        }
      }
      case BearerToken.Malformed(String reason) ->
          throw SessionTokens.unauthorized("session_invalid", reason);
      case BearerToken.Present(String token) ->
          exchange.putAttachment(
              Session.KEY, tokens.verify(token, PathParameters.tenant(exchange)));
    }
    next.handleRequest(exchange);
  }
}
