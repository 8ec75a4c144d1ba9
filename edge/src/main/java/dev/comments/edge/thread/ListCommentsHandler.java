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
import dev.comments.events.VoteDirection;
import dev.comments.events.query.FindReplies;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.RepliesPage;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.ThreadQueries;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /api/v1/tenants/{tenant}/threads/{thread}/comments} (one page of the thread) and
 * {@code …/comments/{commentId}/replies} (more replies of one comment's tree), served from this
 * node's projection when it can be trusted to be fresh enough, otherwise from the primary.
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
 *
 * <p>The JSON of a page is encoded once per thread event and query and shared ({@link PageBytes});
 * its {@code ETag} names the thread's event, the query and the reader's own votes, so {@code
 * If-None-Match} with it answers 304 without a body.
 */
public final class ListCommentsHandler implements HttpHandler {
  public static final HttpString CONSISTENCY = HttpString.tryFromString("X-Consistency");

  /** The thread's position the page shows: where a live reader of it starts ({@code since}). */
  public static final HttpString THREAD_POSITION = HttpString.tryFromString("X-Thread-Position");

  /** What a route lists. */
  public enum Listing {
    /** A page of the thread's top-level comments, each with its first replies. */
    COMMENTS,
    /** More replies of one comment's tree. */
    REPLIES
  }

  private final ThreadQueries queries;
  private final ConsistencyTokens tokens;
  private final Duration consistencyWait;
  private final ThreadPositions positions;
  private final PrimaryLink primary;
  private final BooleanSupplier logLost;
  private final Listing listing;
  private final PageBytes bytes;

  private ListCommentsHandler(
      Listing listing,
      PageBytes bytes,
      ThreadQueries queries,
      ConsistencyTokens tokens,
      Duration consistencyWait,
      ThreadPositions positions,
      PrimaryLink primary,
      BooleanSupplier logLost) {
    this.listing = Objects.requireNonNull(listing, "listing");
    this.bytes = Objects.requireNonNull(bytes, "bytes");
    this.queries = Objects.requireNonNull(queries, "queries");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.consistencyWait = Objects.requireNonNull(consistencyWait, "consistencyWait");
    this.positions = Objects.requireNonNull(positions, "positions");
    this.primary = primary;
    this.logLost = logLost;
  }

  /** On the primary: positions come from its own event store. */
  public static ListCommentsHandler onPrimary(
      Listing listing,
      PageCache pages,
      ThreadQueries queries,
      ConsistencyTokens tokens,
      Duration consistencyWait,
      ThreadPositions positions) {
    return new ListCommentsHandler(
        listing, pages.bytes, queries, tokens, consistencyWait, positions, null, () -> false);
  }

  /**
   * On a replica: positions come from the primary, and reads this node cannot prove fresh go there.
   *
   * @param logLost whether this node has lost touch with the event log, so that waiting is futile
   */
  public static ListCommentsHandler onReplica(
      Listing listing,
      PageCache pages,
      ThreadQueries queries,
      ConsistencyTokens tokens,
      Duration consistencyWait,
      PrimaryLink primary,
      BooleanSupplier logLost) {
    return new ListCommentsHandler(
        listing,
        pages.bytes,
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
    ListCommentsRequest request =
        listing == Listing.COMMENTS
            ? ListCommentsRequest.from(exchange)
            : ListCommentsRequest.forReplies(exchange);
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
    PageBytes.Rendered page =
        switch (listing) {
          case COMMENTS -> page(thread, request, viewerId, preference);
          case REPLIES ->
              replies(thread, PathParameters.commentId(exchange), request, viewerId, preference);
        };
    answer(exchange, page);
  }

  /**
   * This route answered on the IO thread when it can be, else by {@code elsewhere} (the same
   * handler behind the request limit and a worker): a page of the thread's first comments read
   * {@code nearest} with no consistency token, whose thread is in memory and whose page is encoded
   * already, for a reader without a session or one whose votes in the thread this node holds in
   * memory (laid over the shared bytes). That answer is the one a worker would send (the same
   * bytes, under the same key and tag), without the hand-off and without building the page first.
   */
  public HttpHandler inMemoryOr(HttpHandler elsewhere) {
    Objects.requireNonNull(elsewhere, "elsewhere");
    return exchange -> {
      if (!answeredFromMemory(exchange)) {
        elsewhere.handleRequest(exchange);
      }
    };
  }

  private boolean answeredFromMemory(HttpServerExchange exchange) {
    if (listing != Listing.COMMENTS) {
      return false;
    }
    ListCommentsRequest request;
    try {
      request = ListCommentsRequest.from(exchange);
    } catch (ApiException e) {
      // The worker refuses it the same way.
      return false;
    }
    if (request.readPreference() != ReadPreference.NEAREST
        || request.consistencyToken() != null
        || request.cursor() != null) {
      return false;
    }
    ThreadId thread = PathParameters.threadId(exchange);
    OptionalLong seq = queries.heldSeq(thread);
    if (seq.isEmpty()) {
      return false;
    }
    // A reader with a session gets their own votes laid over, if this node holds them.
    Optional<Session> session = Session.ifPresent(exchange);
    Optional<Map<String, VoteDirection>> votes =
        session.isEmpty()
            ? Optional.of(Map.of())
            : queries.heldVotes(thread, session.get().sessionId());
    if (votes.isEmpty()) {
      return false;
    }
    Optional<PageBytes.Rendered> page =
        bytes.held(
            new PageBytes.Key(thread, variant(request), seq.getAsLong(), queries.mediaVersion()),
            votes.get());
    if (page.isEmpty()) {
      return false;
    }
    exchange.putAttachment(RequestMetrics.READ_PREFERENCE, request.readPreference().wireName());
    exchange
        .getResponseHeaders()
        .put(NodeHeaders.READ_PREFERENCE, request.readPreference().wireName());
    answer(exchange, page.get());
    return true;
  }

  private static void answer(HttpServerExchange exchange, PageBytes.Rendered page) {
    exchange.getResponseHeaders().put(Headers.ETAG, page.etag());
    exchange.getResponseHeaders().put(THREAD_POSITION, page.position());
    if (matches(exchange.getRequestHeaders().get(Headers.IF_NONE_MATCH), page.etag())) {
      exchange.setStatusCode(304);
      exchange.endExchange();
      return;
    }
    JsonResponses.sendBytes(exchange, 200, page.json());
  }

  /** The query's part of a page's key: what shapes the page besides the thread and its event. */
  private static String variant(ListCommentsRequest request) {
    return String.join(
        "|",
        "comments",
        request.sort().wireName(),
        String.valueOf(request.limit()),
        String.valueOf(request.replyLimit()),
        Objects.requireNonNullElse(request.cursor(), ""));
  }

  private PageBytes.Rendered page(
      ThreadId thread, ListCommentsRequest request, String viewerId, ReadPreference preference) {
    FindThreadComments query = request.pageQuery(thread, viewerId);
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
    return bytes.render(
        new PageBytes.Key(thread, variant(request), page.seq(), page.mediaVersion()),
        () -> ThreadPageBody.withoutVotes(page),
        ThreadPageBody.votes(page.comments()));
  }

  private PageBytes.Rendered replies(
      ThreadId thread,
      String commentId,
      ListCommentsRequest request,
      String viewerId,
      ReadPreference preference) {
    FindReplies query =
        new FindReplies(thread, commentId, request.limit(), request.cursor(), viewerId);
    RepliesPage page =
        queries
            .findReplies(query, preference)
            .orElseThrow(() -> ApiException.commentNotFound(thread, commentId));
    String variant =
        String.join(
            "|",
            "replies",
            commentId,
            String.valueOf(request.limit()),
            Objects.requireNonNullElse(request.cursor(), ""));
    return bytes.render(
        new PageBytes.Key(thread, variant, page.seq(), page.mediaVersion()),
        () -> ThreadPageBody.RepliesBody.withoutVotes(page),
        ThreadPageBody.votes(page.replies()));
  }

  /** Whether {@code If-None-Match} names this tag (or any, {@code *}); weak tags compare equal. */
  private static boolean matches(HeaderValues ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String header : ifNoneMatch) {
      for (String tag : header.split(",")) {
        String trimmed = tag.strip();
        if (trimmed.startsWith("W/")) {
          trimmed = trimmed.substring(2);
        }
        if (trimmed.equals("*") || trimmed.equals(etag)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The encoded pages both listing routes share: one per node, bounded in bytes, with meters {@code
   * comments.readmodel.*{cache="page_json"}}.
   */
  public static final class PageCache {
    private final PageBytes bytes;

    public PageCache(long maxBytes, MeterRegistry meters) {
      this.bytes = new PageBytes(maxBytes, meters);
    }

    public PageCache(MeterRegistry meters) {
      this(PageBytes.DEFAULT_MAX_BYTES, meters);
    }
  }
}
