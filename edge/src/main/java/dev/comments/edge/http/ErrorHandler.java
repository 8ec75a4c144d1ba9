package dev.comments.edge.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/** Turns whatever {@code next} throws on this thread into the mapped JSON error. */
public final class ErrorHandler implements HttpHandler {
  private final HttpHandler next;

  public ErrorHandler(HttpHandler next) {
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    try {
      next.handleRequest(exchange);
    } catch (Exception e) {
      ErrorMapping.send(exchange, e);
    }
  }
}
