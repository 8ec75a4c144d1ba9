package dev.comments.edge.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * Moves {@code next} off the IO thread onto the bounded worker pool, where it may wait on the
 * ports, and maps its failures there: a dispatched task is outside the reach of the outer {@link
 * ErrorHandler}. The exchange stays non-blocking: the body was received before (see {@link
 * ReceiveBody}) and answers are sent asynchronously, so a slow client never holds a worker.
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
    try {
      next.handleRequest(exchange);
    } catch (Exception e) {
      ErrorMapping.send(exchange, e);
    }
  }
}
