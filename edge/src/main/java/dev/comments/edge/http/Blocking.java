package dev.comments.edge.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * Moves {@code next} off the IO thread onto the bounded worker pool, in blocking mode, and maps its
 * failures there: a dispatched task is outside the reach of the outer {@link ErrorHandler}.
 */
public final class Blocking implements HttpHandler {
  private final HttpHandler next;

  public Blocking(HttpHandler next) {
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (exchange.isInIoThread()) {
      exchange.dispatch(this);
      return;
    }
    if (!exchange.isBlocking()) {
      exchange.startBlocking();
    }
    try {
      next.handleRequest(exchange);
    } catch (Exception e) {
      ErrorMapping.send(exchange, e);
    }
  }
}
