package dev.comments.edge.moderation;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.thread.CommentBody;
import dev.comments.events.HostPage;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.query.InvalidCursorException;
import dev.comments.query.ModerationQueue;
import dev.comments.query.ModerationQueue.QueueItem;
import dev.comments.query.ModerationQueue.QueuePage;
import dev.comments.query.ModerationQueue.QueueQuery;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.Instant;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code GET …/moderation/queue?status=pending|flagged|removed&thread=&user=&q=&cursor=&limit=}: a
 * moderator's queue, read from this node's own projection (a local read on every node), newest
 * change first. Each bad parameter is {@code 400 invalid_parameter} naming it; a cursor not made by
 * this queue is {@code 400 invalid_cursor}.
 */
public final class QueueHandler implements HttpHandler {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_TEXT = 200;
  private static final Set<String> PARAMETERS =
      Set.of("status", "thread", "user", "q", "cursor", "limit");

  private final ModerationQueue queue;

  public QueueHandler(ModerationQueue queue) {
    this.queue = Objects.requireNonNull(queue, "queue");
  }

  /**
   * One queued comment as the API shows it; {@code page} is the page its post named ({@code url},
   * {@code title} or null), or null.
   */
  public record ItemBody(
      String thread,
      CommentBody comment,
      int flags,
      List<String> flagReasons,
      String lastAction,
      String moderatorId,
      String reason,
      Instant updatedAt,
      HostPage page) {
    public static ItemBody of(QueueItem item) {
      return new ItemBody(
          item.thread(),
          CommentBody.of(item.comment()),
          item.flags(),
          item.flagReasons(),
          item.lastAction(),
          item.moderatorId(),
          item.reason(),
          item.updatedAt(),
          item.page());
    }
  }

  public record QueueBody(String status, List<ItemBody> items, String nextCursor) {}

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Map<String, Deque<String>> parameters = exchange.getQueryParameters();
    Set<String> unknown = new TreeSet<>(parameters.keySet());
    unknown.removeAll(PARAMETERS);
    if (!unknown.isEmpty()) {
      throw invalid(
          "unknown parameter '" + unknown.iterator().next() + "'; the queue takes " + PARAMETERS);
    }
    String status = single(parameters, "status");
    if (status == null) {
      status = "pending";
    } else if (!ModerationQueue.STATUSES.contains(status)) {
      throw invalid("parameter 'status' must be pending, flagged or removed");
    }
    String thread = single(parameters, "thread");
    if (thread != null && !ThreadId.isValidThread(thread)) {
      throw invalid("parameter 'thread' must be a thread id: [A-Za-z0-9._~:-]{1,200}");
    }
    String user = single(parameters, "user");
    if (user != null && !ThreadId.isValidId(user)) {
      throw invalid("parameter 'user' must be a user id: [A-Za-z0-9._~:-]{1,200}");
    }
    String text = single(parameters, "q");
    if (text != null && (text.isBlank() || text.length() > MAX_TEXT)) {
      throw invalid("parameter 'q' must be 1 to " + MAX_TEXT + " characters of text");
    }
    int limit = limit(single(parameters, "limit"));
    String cursor = single(parameters, "cursor");
    QueuePage page;
    try {
      page =
          queue.find(
              new QueueQuery(
                  PathParameters.tenant(exchange),
                  status,
                  thread,
                  user,
                  text == null ? null : text.strip(),
                  cursor,
                  limit),
              ReadPreference.NEAREST);
    } catch (InvalidCursorException e) {
      throw ApiException.badRequest("invalid_cursor", "the cursor was not issued by this queue");
    }
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    JsonResponses.send(
        exchange,
        200,
        new QueueBody(status, page.items().stream().map(ItemBody::of).toList(), page.nextCursor()));
  }

  private static int limit(String text) {
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= ModerationQueue.MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw invalid(
        "parameter 'limit' must be a whole number from 1 to " + ModerationQueue.MAX_LIMIT);
  }

  private static String single(Map<String, Deque<String>> parameters, String name) {
    Deque<String> values = parameters.get(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw invalid("parameter '" + name + "' is given more than once");
    }
    return values.getFirst();
  }

  private static ApiException invalid(String message) {
    return ApiException.badRequest("invalid_parameter", message);
  }
}
