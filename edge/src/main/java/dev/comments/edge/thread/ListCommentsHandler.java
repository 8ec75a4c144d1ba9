package dev.comments.edge.thread;

import dev.comments.command.ThreadPositions;
import dev.comments.edge.consistency.ConsistencyToken;
import dev.comments.edge.consistency.ConsistencyTokens;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.NodeHeaders;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.http.RequestMetrics;
import dev.comments.edge.primary.PrimaryLink;
import dev.comments.edge.session.Session;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.ThreadQueries;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /api/v1/tenants/{tenant}/threads/{thread}/comments}: one page of the thread, served
 * from this node's projection when it can be trusted to be fresh enough, otherwise from the
 * primary.
 *
 * <ul>
 *   <li>{@code nearest} answers at once from the projection; {@code X-Replica-Lag-Ms} says how
 *       stale it may be.
 *   <li>{@code primary} must reflect every write acknowledged before the read began: the node asks
 *       where the thread's stream stands (its own event store on the primary, one round trip to the
 *       primary on a replica) and waits, at most the configured time, until its projection holds
 *       that event.
 *   <li>A consistency token for this thread (the reader's own last write) is waited for the same
 *       way, whatever the preference; a token for another thread of the tenant is not waited on.
 * </ul>
 *
 * When the wait runs out, a replica forwards the read to the primary (so a token "from the future"
 * costs a wait and a forward, never a wrong answer); a replica that has lost the log forwards a
 * {@code primary} read at once. On the primary, a {@code primary} read that its projection cannot
 * satisfy in time is {@code 503 projection_behind}; a token that is not reached there is served
 * with {@code X-Consistency: timed_out}.
 */
public final class ListCommentsHandler implements HttpHandler {
  public static final HttpString CONSISTENCY = HttpString.tryFromString("X-Consistency");

  private final ThreadQueries queries;
  private final ConsistencyTokens tokens;
  private final Duration consistencyWait;
  private final ThreadPositions positions;
  private final PrimaryLink primary;
  private final BooleanSupplier logLost;

  private ListCommentsHandler(
      ThreadQueries queries,
      ConsistencyTokens tokens,
      Duration consistencyWait,
      ThreadPositions positions,
      PrimaryLink primary,
      BooleanSupplier logLost) {
    this.queries = Objects.requireNonNull(queries, "queries");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.consistencyWait = Objects.requireNonNull(consistencyWait, "consistencyWait");
    this.positions = Objects.requireNonNull(positions, "positions");
    this.primary = primary;
    this.logLost = logLost;
  }

  /** On the primary: positions come from its own event store. */
  public static ListCommentsHandler onPrimary(
      ThreadQueries queries,
      ConsistencyTokens tokens,
      Duration consistencyWait,
      ThreadPositions positions) {
    return new ListCommentsHandler(queries, tokens, consistencyWait, positions, null, () -> false);
  }

  /**
   * On a replica: positions come from the primary, and reads this node cannot prove fresh go there.
   *
   * @param logLost whether this node has lost touch with the event log, so that waiting is futile
   */
  public static ListCommentsHandler onReplica(
      ThreadQueries queries,
      ConsistencyTokens tokens,
      Duration consistencyWait,
      PrimaryLink primary,
      BooleanSupplier logLost) {
    return new ListCommentsHandler(
        queries,
        tokens,
        consistencyWait,
        primary,
        Objects.requireNonNull(primary, "primary"),
        Objects.requireNonNull(logLost, "logLost"));
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    ThreadId thread = PathParameters.threadId(exchange);
    ListCommentsRequest request = ListCommentsRequest.from(exchange);
    ReadPreference preference = request.readPreference();
    exchange.putAttachment(RequestMetrics.READ_PREFERENCE, preference.wireName());
    // Set before the read, so that an error answer says how it read too.
    exchange.getResponseHeaders().put(NodeHeaders.READ_PREFERENCE, preference.wireName());

    long mustHold = -1;
    if (request.consistencyToken() != null) {
      ConsistencyToken token = tokens.decode(request.consistencyToken(), thread.tenant());
      if (token.thread().equals(thread)) {
        mustHold = token.seq();
      }
    }
    // A replica that has lost the log cannot prove anything fresh: waiting for it is futile.
    boolean cannotProve = primary != null && logLost.getAsBoolean();
    if (preference == ReadPreference.PRIMARY) {
      if (cannotProve) {
        primary.forwardRead(exchange);
        return;
      }
      OptionalLong last = positions.lastSeq(thread, ReadPreference.PRIMARY);
      if (last.isPresent()) {
        mustHold = Math.max(mustHold, last.getAsLong());
      }
    }
    if (mustHold >= 0) {
      boolean reached =
          !cannotProve && queries.awaitSeq(thread, mustHold, consistencyWait, preference);
      if (!reached && primary != null) {
        primary.forwardRead(exchange);
        return;
      }
      if (!reached && preference == ReadPreference.PRIMARY) {
        throw new ApiException(
            503,
            "projection_behind",
            "this node has not yet applied every acknowledged write of the thread; retry shortly",
            Map.of("Retry-After", "1"));
      }
      exchange.getResponseHeaders().put(CONSISTENCY, reached ? "reached" : "timed_out");
    }
    String viewerId = Session.ifPresent(exchange).map(Session::sessionId).orElse(null);
    FindThreadComments query =
        new FindThreadComments(thread, request.sort(), request.limit(), request.cursor(), viewerId);
    ThreadPage page =
        queries
            .findComments(query, preference)
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
