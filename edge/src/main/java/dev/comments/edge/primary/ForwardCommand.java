package dev.comments.edge.primary;

import dev.comments.edge.idempotency.IdempotentCommand;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * A command route on a replica: the command is the primary's to decide, so it travels there with
 * its idempotency key (the client's, or one made here) and the primary's answer comes back as is.
 * The primary remembers the key; this node stores nothing.
 */
public final class ForwardCommand implements HttpHandler {
  private final PrimaryLink primary;

  public ForwardCommand(PrimaryLink primary) {
    this.primary = Objects.requireNonNull(primary, "primary");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    primary.forwardCommand(exchange, IdempotentCommand.clientKeyOrNew(exchange));
  }
}
