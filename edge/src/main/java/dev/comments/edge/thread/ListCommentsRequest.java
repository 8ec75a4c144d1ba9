package dev.comments.edge.thread;

import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.ApiException;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.query.FindReplies;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import io.undertow.server.HttpServerExchange;
import java.util.Deque;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The query string of a thread read. A page: {@code sort} (newest by default), {@code limit}
 * (1..100, default 20), {@code replyLimit} (0..100, default 20), {@code cursor}. The replies of a
 * comment: {@code limit} (1..100, default 20) and {@code cursor}. Both: {@code readPreference}
 * (primary by default) and the consistency token, from the {@code X-Consistency-Token} header or
 * the {@code consistencyToken} parameter.
 */
public record ListCommentsRequest(
    SortOrder sort,
    int limit,
    int replyLimit,
    String cursor,
    ReadPreference readPreference,
    String consistencyToken) {
  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,3}");
  private static final int MAX_CURSOR_LENGTH = 1024;

  /** A page of the thread's top-level comments. */
  public static ListCommentsRequest from(HttpServerExchange exchange) {
    Map<String, Deque<String>> query = exchange.getQueryParameters();
    String sortText = single(query, "sort", "invalid_parameter");
    SortOrder sort =
        sortText == null
            ? SortOrder.NEWEST
            : SortOrder.parse(sortText)
                .orElseThrow(
                    () ->
                        ApiException.badRequest(
                            "invalid_parameter",
                            "parameter 'sort' must be \"newest\", \"oldest\" or \"top\""));
    int limit =
        number(query, "limit", 1, FindThreadComments.MAX_LIMIT, FindThreadComments.DEFAULT_LIMIT);
    int replyLimit =
        number(
            query,
            "replyLimit",
            0,
            FindThreadComments.MAX_REPLY_LIMIT,
            FindThreadComments.DEFAULT_REPLY_LIMIT);
    return new ListCommentsRequest(
        sort, limit, replyLimit, cursor(query), preference(query), token(exchange, query));
  }

  /** The page query this request asks of {@code thread}, for {@code viewerId} (null: anonymous). */
  public FindThreadComments pageQuery(ThreadId thread, String viewerId) {
    return new FindThreadComments(thread, sort, limit, cursor, replyLimit, viewerId);
  }

  /** The replies of one comment's tree. */
  static ListCommentsRequest forReplies(HttpServerExchange exchange) {
    Map<String, Deque<String>> query = exchange.getQueryParameters();
    int limit = number(query, "limit", 1, FindReplies.MAX_LIMIT, FindReplies.DEFAULT_LIMIT);
    return new ListCommentsRequest(
        null, limit, 0, cursor(query), preference(query), token(exchange, query));
  }

  private static ReadPreference preference(Map<String, Deque<String>> query) {
    String preferenceText = single(query, "readPreference", "invalid_read_preference");
    return preferenceText == null
        ? ReadPreference.PRIMARY
        : ReadPreference.parse(preferenceText)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "invalid_read_preference",
                        "readPreference must be \"primary\" or \"nearest\""));
  }

  private static int number(
      Map<String, Deque<String>> query, String name, int min, int max, int byDefault) {
    String text = single(query, name, "invalid_parameter");
    if (text == null) {
      return byDefault;
    }
    int value = NUMBER.matcher(text).matches() ? Integer.parseInt(text) : -1;
    if (value < min || value > max) {
      throw ApiException.badRequest(
          "invalid_parameter",
          "parameter '" + name + "' must be an integer from " + min + " to " + max);
    }
    return value;
  }

  private static String cursor(Map<String, Deque<String>> query) {
    String cursor = single(query, "cursor", "invalid_cursor");
    if (cursor != null && (cursor.isEmpty() || cursor.length() > MAX_CURSOR_LENGTH)) {
      throw ApiException.badRequest(
          "invalid_cursor", "the cursor was not issued for this thread and sort order");
    }
    return cursor;
  }

  private static String token(HttpServerExchange exchange, Map<String, Deque<String>> query) {
    String token = exchange.getRequestHeaders().getFirst(WriteAcknowledgement.HEADER);
    return token != null ? token : single(query, "consistencyToken", "invalid_consistency_token");
  }

  private static String single(Map<String, Deque<String>> query, String name, String code) {
    Deque<String> values = query.get(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw ApiException.badRequest(code, "parameter '" + name + "' is given more than once");
    }
    return values.getFirst();
  }
}
