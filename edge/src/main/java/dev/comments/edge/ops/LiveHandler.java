package dev.comments.edge.ops;

import dev.comments.edge.http.JsonResponses;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * {@code GET /health/live}: the process answers. Runs on the IO thread, so it stays up under load.
 */
public final class LiveHandler implements HttpHandler {
  @Override
  public void handleRequest(HttpServerExchange exchange) {
    JsonResponses.send(exchange, 200, new Status("up"));
  }

  record Status(String status) {}
}
