package dev.comments.edge.session;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.time.Instant;
import java.util.Optional;

/** An anonymous session, verified for the tenant of the request it came with. */
public record Session(String tenant, String sessionId, String displayName, Instant expiresAt) {
  static final AttachmentKey<Session> KEY = AttachmentKey.create(Session.class);

  /** The session {@link RequireSession} verified; fails if the route did not require one. */
  public static Session of(HttpServerExchange exchange) {
    Session session = exchange.getAttachment(KEY);
    if (session == null) {
      throw new IllegalStateException("route does not require a session");
    }
    return session;
  }

  /** The session, if the request carried one (on routes where it is optional). */
  public static Optional<Session> ifPresent(HttpServerExchange exchange) {
    return Optional.ofNullable(exchange.getAttachment(KEY));
  }
}
