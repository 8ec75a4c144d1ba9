package dev.comments.edge.thread;

import dev.comments.edge.consistency.ConsistencyToken;
import dev.comments.edge.consistency.ConsistencyTokens;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.NodeHeaders;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.http.RequestMetrics;
import dev.comments.edge.session.Session;
import dev.comments.events.ThreadId;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.ThreadQueries;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code GET /api/v1/tenants/{tenant}/threads/{thread}/comments}: one page of the thread from this
 * node's projection. With a consistency token for this thread it first waits, at most the
 * configured time, until the projection holds the writer's event; {@code X-Consistency} then says
 * {@code reached} or {@code timed_out}. A token for another thread of the tenant is not waited on.
 */
public final class ListCommentsHandler implements HttpHandler {
  public static final HttpString CONSISTENCY = HttpString.tryFromString("X-Consistency");

  private final ThreadQueries queries;
  private final ConsistencyTokens tokens;
  private final Duration consistencyWait;

  public ListCommentsHandler(
      ThreadQueries queries, ConsistencyTokens tokens, Duration consistencyWait) {
    this.queries = Objects.requireNonNull(queries, "queries");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.consistencyWait = Objects.requireNonNull(consistencyWait, "consistencyWait");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    ThreadId thread = PathParameters.threadId(exchange);
    ListCommentsRequest request = ListCommentsRequest.from(exchange);
    exchange.putAttachment(RequestMetrics.READ_PREFERENCE, request.readPreference().wireName());
    // Set before the read, so that an error answer says how it read too.
    exchange
        .getResponseHeaders()
        .put(NodeHeaders.READ_PREFERENCE, request.readPreference().wireName());
    if (request.consistencyToken() != null) {
      ConsistencyToken token = tokens.decode(request.consistencyToken(), thread.tenant());
      if (token.thread().equals(thread)) {
        boolean reached =
            queries.awaitSeq(thread, token.seq(), consistencyWait, request.readPreference());
        exchange.getResponseHeaders().put(CONSISTENCY, reached ? "reached" : "timed_out");
      }
    }
    String viewerId = Session.ifPresent(exchange).map(Session::sessionId).orElse(null);
    FindThreadComments query =
        new FindThreadComments(thread, request.sort(), request.limit(), request.cursor(), viewerId);
    ThreadPage page =
        queries
            .findComments(query, request.readPreference())
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "thread_not_found",
                        "there is no thread '"
                            + thread.thread()
                            + "' in tenant '"
                            + thread.tenant()
                            + "'"));
    JsonResponses.send(exchange, 200, ThreadPageBody.of(page));
  }
}
