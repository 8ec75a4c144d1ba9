package dev.comments.edge.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** {@code GET /metrics}: every meter of the node in the Prometheus text format 0.0.4. */
public final class PrometheusHandler implements HttpHandler {
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry meters;

  public PrometheusHandler(PrometheusMeterRegistry meters) {
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    String text = meters.scrape();
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, CONTENT_TYPE);
    exchange.getResponseSender().send(text, StandardCharsets.UTF_8);
  }
}
