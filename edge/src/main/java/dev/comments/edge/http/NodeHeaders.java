package dev.comments.edge.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.util.List;
import java.util.Objects;

/**
 * Says which node answered ({@code X-Served-By}) on every answer, errors included, so a client or
 * an operator can tell the nodes of a region apart. {@link ErrorMapping} keeps these headers (and
 * {@code X-Read-Preference}, once a read has set it) when it clears a half-built answer.
 */
public final class NodeHeaders implements HttpHandler {
  public static final HttpString SERVED_BY = HttpString.tryFromString("X-Served-By");
  public static final HttpString READ_PREFERENCE = HttpString.tryFromString("X-Read-Preference");

  static final List<HttpString> KEPT_ON_ERRORS = List.of(SERVED_BY, READ_PREFERENCE);

  private final String nodeId;
  private final HttpHandler next;

  public NodeHeaders(String nodeId, HttpHandler next) {
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    exchange.getResponseHeaders().put(SERVED_BY, nodeId);
    next.handleRequest(exchange);
  }
}
