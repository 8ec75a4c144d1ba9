package dev.comments.edge.audit;

import dev.comments.edge.http.ApiException;
import dev.comments.events.ThreadId;
import io.undertow.server.HttpServerExchange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Deque;
import java.util.Map;

/** The query parameters of the history routes, checked: each mistake is its own clear error. */
final class HistoryParameters {

  private HistoryParameters() {}

  /** An instant in ISO-8601 ({@code 2026-01-01T00:00:00Z}, an offset allowed), or null. */
  static Instant instant(HttpServerExchange exchange, String name, String code) {
    String text = single(exchange, name);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(
          code,
          "parameter '"
              + name
              + "' must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, not '"
              + abbreviated(text)
              + "'");
    }
  }

  /** {@code asOf}: not in the future of this node's clock. */
  static Instant asOf(HttpServerExchange exchange, Clock clock) {
    Instant asOf = instant(exchange, "asOf", "invalid_as_of");
    if (asOf != null && asOf.isAfter(clock.instant())) {
      throw ApiException.badRequest(
          "as_of_in_future", "parameter 'asOf' is in the future: the thread has no such state yet");
    }
    return asOf;
  }

  /** A thread id, user id or moderator id parameter, or null. */
  static String id(HttpServerExchange exchange, String name) {
    String text = single(exchange, name);
    if (text == null) {
      return null;
    }
    if (!ThreadId.isValidId(text)) {
      throw ApiException.badRequest(
          "invalid_parameter", "parameter '" + name + "' must match [A-Za-z0-9._~:-]{1,200}");
    }
    return text;
  }

  private static String single(HttpServerExchange exchange, String name) {
    Map<String, Deque<String>> query = exchange.getQueryParameters();
    Deque<String> values = query.get(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw ApiException.badRequest(
          "invalid_parameter", "parameter '" + name + "' is given more than once");
    }
    return values.getFirst();
  }

  static String days(Duration duration) {
    return duration.toDays() + " days";
  }

  private static String abbreviated(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "…";
  }
}
