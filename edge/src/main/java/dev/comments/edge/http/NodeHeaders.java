package dev.comments.edge.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Says which node answered ({@code X-Served-By}) and how stale its projection may be ({@code
 * X-Replica-Lag-Ms}, and {@code X-Replica-Stale: true} when it has lost the event log) on every
 * answer, errors included, so a client or an operator can tell the nodes of a region apart and
 * judge a local read. {@link ErrorMapping} keeps these headers (and {@code X-Read-Preference}, once
 * a read has set it) when it clears a half-built answer.
 */
public final class NodeHeaders implements HttpHandler {
  public static final HttpString SERVED_BY = HttpString.tryFromString("X-Served-By");
  public static final HttpString READ_PREFERENCE = HttpString.tryFromString("X-Read-Preference");
  public static final HttpString REPLICA_LAG = HttpString.tryFromString("X-Replica-Lag-Ms");
  public static final HttpString REPLICA_STALE = HttpString.tryFromString("X-Replica-Stale");

  static final List<HttpString> KEPT_ON_ERRORS =
      List.of(SERVED_BY, READ_PREFERENCE, REPLICA_LAG, REPLICA_STALE);

  private final String nodeId;
  private final Supplier<Duration> projectionLag;
  private final BooleanSupplier stale;
  private final HttpHandler next;

  /**
   * @param projectionLag how stale this node's projection may be; read on the IO thread, so it must
   *     answer from memory
   * @param stale whether this node has lost touch with the event log ({@code X-Replica-Stale:
   *     true}); also read from memory
   */
  public NodeHeaders(
      String nodeId, Supplier<Duration> projectionLag, BooleanSupplier stale, HttpHandler next) {
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.projectionLag = Objects.requireNonNull(projectionLag, "projectionLag");
    this.stale = Objects.requireNonNull(stale, "stale");
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    exchange.getResponseHeaders().put(SERVED_BY, nodeId);
    exchange.getResponseHeaders().put(REPLICA_LAG, projectionLag.get().toMillis());
    if (stale.getAsBoolean()) {
      exchange.getResponseHeaders().put(REPLICA_STALE, "true");
    }
    next.handleRequest(exchange);
  }
}
