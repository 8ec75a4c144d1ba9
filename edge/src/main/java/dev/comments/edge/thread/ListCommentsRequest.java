package dev.comments.edge.thread;

import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.ApiException;
import dev.comments.events.ReadPreference;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import io.undertow.server.HttpServerExchange;
import java.util.Deque;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The query string of a thread read: {@code sort} (newest by default), {@code limit} (1..100,
 * default 20), {@code cursor}, {@code readPreference} (primary by default) and the consistency
 * token, from the {@code X-Consistency-Token} header or the {@code consistencyToken} parameter.
 */
record ListCommentsRequest(
    SortOrder sort,
    int limit,
    String cursor,
    ReadPreference readPreference,
    String consistencyToken) {
  private static final Pattern LIMIT = Pattern.compile("[0-9]{1,3}");
  private static final int MAX_CURSOR_LENGTH = 1024;

  static ListCommentsRequest from(HttpServerExchange exchange) {
    Map<String, Deque<String>> query = exchange.getQueryParameters();
    String preferenceText = single(query, "readPreference", "invalid_read_preference");
    ReadPreference preference =
        preferenceText == null
            ? ReadPreference.PRIMARY
            : ReadPreference.parse(preferenceText)
                .orElseThrow(
                    () ->
                        ApiException.badRequest(
                            "invalid_read_preference",
                            "readPreference must be \"primary\" or \"nearest\""));
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
    String limitText = single(query, "limit", "invalid_parameter");
    int limit = FindThreadComments.DEFAULT_LIMIT;
    if (limitText != null) {
      limit = LIMIT.matcher(limitText).matches() ? Integer.parseInt(limitText) : -1;
      if (limit < 1 || limit > FindThreadComments.MAX_LIMIT) {
        throw ApiException.badRequest(
            "invalid_parameter",
            "parameter 'limit' must be an integer from 1 to " + FindThreadComments.MAX_LIMIT);
      }
    }
    String cursor = single(query, "cursor", "invalid_cursor");
    if (cursor != null && (cursor.isEmpty() || cursor.length() > MAX_CURSOR_LENGTH)) {
      throw ApiException.badRequest(
          "invalid_cursor", "the cursor was not issued for this thread and sort order");
    }
    String token = exchange.getRequestHeaders().getFirst(WriteAcknowledgement.HEADER);
    if (token == null) {
      token = single(query, "consistencyToken", "invalid_consistency_token");
    }
    return new ListCommentsRequest(sort, limit, cursor, preference, token);
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
