package dev.comments.edge.audit;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.thread.ListCommentsRequest;
import dev.comments.edge.thread.PageBodies;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.AuditLog;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * {@code GET …/threads/{thread}/comments?asOf=<instant>}: the thread as it was at that instant,
 * rebuilt from its events, behind the moderator key (it shows comments removed since). Without
 * {@code asOf} the request goes on to {@code current}, the ordinary page of the thread. {@code
 * sort}, {@code limit}, {@code replyLimit} and {@code cursor} work as on the current thread.
 */
public final class AsOfHandler implements HttpHandler {
  private final HttpHandler current;
  private final HttpHandler asModerator;
  private final AuditLog audit;
  private final Clock clock;

  /**
   * @param guard wraps the as-of reader in the moderator check (and the worker pool)
   */
  public AsOfHandler(
      HttpHandler current,
      java.util.function.UnaryOperator<HttpHandler> guard,
      AuditLog audit,
      Clock clock) {
    this.current = Objects.requireNonNull(current, "current");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.asModerator = guard.apply(this::asOf);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (exchange.getQueryParameters().containsKey("asOf")) {
      asModerator.handleRequest(exchange);
    } else {
      current.handleRequest(exchange);
    }
  }

  private void asOf(HttpServerExchange exchange) {
    Instant asOf = HistoryParameters.asOf(exchange, clock);
    ThreadId thread = PathParameters.threadId(exchange);
    FindThreadComments query = ListCommentsRequest.from(exchange).pageQuery(thread, null);
    ThreadPage page =
        audit
            .threadAsOf(query, asOf, ReadPreference.NEAREST)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "thread_not_found",
                        "thread '" + thread.thread() + "' had no comment event by " + asOf));
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    JsonResponses.send(exchange, 200, PageBodies.of(page));
  }
}
