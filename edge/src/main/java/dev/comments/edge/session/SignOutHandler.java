package dev.comments.edge.session;

import dev.comments.command.SessionRecords;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonResponses;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Map;
import java.util.Objects;

/**
 * {@code DELETE /api/v1/tenants/{tenant}/sessions/current} on the primary: revokes the caller's
 * session ({@code 204}) once the revocation is durable; every node then refuses its token. {@code
 * 503 revocation_unavailable} when it could not be made durable: nothing is known to be revoked.
 */
public final class SignOutHandler implements HttpHandler {
  private final SessionRecords revocations;

  public SignOutHandler(SessionRecords revocations) {
    this.revocations = Objects.requireNonNull(revocations, "revocations");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Session session = Session.of(exchange);
    try {
      revocations.revoke(session.tenant(), session.sessionId(), session.expiresAt());
    } catch (SessionRecords.Unavailable e) {
      throw new ApiException(
          503,
          "revocation_unavailable",
          "the sign-out could not be recorded; retry shortly",
          Map.of("Retry-After", "1"));
    }
    exchange.getResponseHeaders().put(io.undertow.util.Headers.CACHE_CONTROL, "no-store");
    JsonResponses.noContent(exchange);
  }
}
