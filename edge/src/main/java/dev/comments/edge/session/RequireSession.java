package dev.comments.edge.session;

import dev.comments.edge.http.PathParameters;
import dev.comments.edge.security.BearerToken;
import dev.comments.query.RevokedSessions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * Verifies the bearer session token for the tenant in the path and attaches the {@link Session}. On
 * writes it is required ({@code 401 session_required}); on reads it is optional, but a token that
 * is sent must still be valid, so a client learns at once that its session went bad. A session
 * signed out on any node is {@code 401 session_revoked}; the check is in memory.
 */
public final class RequireSession implements HttpHandler {
  private final SessionTokens tokens;
  private final RevokedSessions revoked;
  private final boolean required;
  private final HttpHandler next;

  private RequireSession(
      SessionTokens tokens, RevokedSessions revoked, boolean required, HttpHandler next) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.revoked = Objects.requireNonNull(revoked, "revoked");
    this.required = required;
    this.next = Objects.requireNonNull(next, "next");
  }

  public static RequireSession required(
      SessionTokens tokens, RevokedSessions revoked, HttpHandler next) {
    return new RequireSession(tokens, revoked, true, next);
  }

  public static RequireSession optional(
      SessionTokens tokens, RevokedSessions revoked, HttpHandler next) {
    return new RequireSession(tokens, revoked, false, next);
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
      case BearerToken.Present(String token) -> {
        Session session = tokens.verify(token, PathParameters.tenant(exchange));
        if (revoked.isRevoked(session.tenant(), session.sessionId())) {
          throw SessionTokens.unauthorized(
              "session_revoked",
              "this session was signed out; create a new one with POST …/sessions");
        }
        exchange.putAttachment(Session.KEY, session);
      }
    }
    next.handleRequest(exchange);
  }
}
