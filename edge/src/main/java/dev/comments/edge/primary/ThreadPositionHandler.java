package dev.comments.edge.primary;

import dev.comments.command.ThreadPositions;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.PathParameters;
import dev.comments.events.ReadPreference;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * {@code GET /internal/v1/tenants/{tenant}/threads/{thread}/position} on the primary: {@code
 * {"seq": n}}, the seq of the thread's last stored event ({@code null} for a thread without one). A
 * replica asks it before serving a {@code primary} read from its own projection.
 */
public final class ThreadPositionHandler implements HttpHandler {
  private final ThreadPositions positions;

  public ThreadPositionHandler(ThreadPositions positions) {
    this.positions = Objects.requireNonNull(positions, "positions");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    OptionalLong seq = positions.lastSeq(PathParameters.threadId(exchange), ReadPreference.PRIMARY);
    JsonResponses.send(exchange, 200, new Position(seq.isPresent() ? seq.getAsLong() : null));
  }

  record Position(Long seq) {}
}
