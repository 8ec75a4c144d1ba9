package dev.comments.edge.ops;

import dev.comments.edge.http.JsonResponses;
import dev.comments.query.ProjectionStatus;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * {@code GET /health/ready}: 200 once this node's projections have caught up with the event log,
 * 503 before, with the lag either way so an operator sees how far behind it is. Runs on the IO
 * thread, so that a node whose workers are all busy still answers its load balancer: {@link
 * ProjectionStatus} only reads what the projection's consumer last wrote (volatile fields).
 */
public final class ReadyHandler implements HttpHandler {
  private final ProjectionStatus status;

  public ReadyHandler(ProjectionStatus status) {
    this.status = Objects.requireNonNull(status, "status");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    boolean ready = status.caughtUp();
    JsonResponses.send(
        exchange,
        ready ? 200 : 503,
        new Readiness(
            ready ? "ready" : "catching_up", status.lagEvents(), status.lag().toMillis()));
  }

  record Readiness(String status, long lagEvents, long lagMs) {}
}
