package dev.comments.edge.http;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import dev.comments.query.InvalidCursorException;
import io.undertow.io.IoCallback;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure becomes an HTTP answer. Every handler throws; nothing else writes
 * an error body, so the status of each code is decided here and only here.
 */
public final class ErrorMapping {
  private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

  static final ApiError INTERNAL =
      new ApiError(500, "internal", "the server failed to handle the request; it was logged");

  private ErrorMapping() {}

  public static ApiError toError(Throwable failure) {
    return switch (failure) {
      case ApiException e -> new ApiError(e.status(), e.code(), e.getMessage(), e.headers());
      case CommandRejectedException e ->
          new ApiError(
              statusOf(e.rejection()),
              e.rejection().code(),
              e.getMessage() != null ? e.getMessage() : e.rejection().code());
      case InvalidCursorException e ->
          // The query side's wording may describe its cursor format: keep it out of the answer.
          new ApiError(
              400, "invalid_cursor", "the cursor was not issued for this thread and sort order");
      default -> {
        log.error("Unexpected failure while handling a request", failure);
        yield INTERNAL;
      }
    };
  }

  /** How each business rule a command can break is told over HTTP. */
  public static int statusOf(Rejection rejection) {
    return switch (rejection) {
      case TEXT_EMPTY,
          TEXT_TOO_LONG,
          TEXT_INVALID,
          REASON_INVALID,
          PARENT_NOT_FOUND,
          REPLY_TOO_DEEP ->
          400;
      case THREAD_NOT_FOUND, COMMENT_NOT_FOUND, MEDIA_NOT_FOUND, NOT_BANNED -> 404;
      case MEDIA_TRUNCATED, MEDIA_TYPE_MISMATCH, MEDIA_DIMENSIONS_TOO_LARGE -> 400;
      case MEDIA_TOO_LARGE -> 413;
      case MEDIA_TYPE_UNSUPPORTED -> 415;
      // The request is well formed; what it names cannot be shown.
      case UNKNOWN_MEDIA, MEDIA_REMOVED -> 422;
      case NOT_AUTHOR -> 403;
      case THREAD_LOCKED,
          COMMENT_DELETED,
          EDIT_WINDOW_CLOSED,
          ALREADY_FLAGGED,
          MODERATION_NOT_ALLOWED ->
          409;
    };
  }

  /** Answers {@code exchange} with the error {@code failure} maps to, if it still can. */
  public static void send(HttpServerExchange exchange, Throwable failure) {
    send(exchange, failure, IoCallback.END_EXCHANGE);
  }

  /**
   * Answers {@code exchange} with the error {@code failure} maps to, then runs {@code then} (which
   * must end the exchange) rather than ending it at once. If a response had already started, the
   * connection is cut and {@code then} is not run.
   */
  public static void send(HttpServerExchange exchange, Throwable failure, IoCallback then) {
    ApiError error = toError(failure);
    if (exchange.isResponseStarted()) {
      // Half a response is already on the wire: the only honest thing left is to cut it.
      log.warn("Failure after the response started; closing the connection: {}", error.code());
      exchange.setPersistent(false);
      exchange.endExchange();
      return;
    }
    // A half-built success answer must not leak its headers (a consistency token, a cache
    // policy) into the error; who answered, and how it read, stays true of the error too.
    HeaderMap headers = exchange.getResponseHeaders();
    Map<HttpString, String> kept = new LinkedHashMap<>();
    for (HttpString name : NodeHeaders.KEPT_ON_ERRORS) {
      String value = headers.getFirst(name);
      if (value != null) {
        kept.put(name, value);
      }
    }
    headers.clear();
    kept.forEach(headers::put);
    for (Map.Entry<String, String> header : error.headers().entrySet()) {
      headers.put(HttpString.tryFromString(header.getKey()), header.getValue());
    }
    byte[] body = JsonResponses.bytes(new ErrorBody(error.code(), error.message()));
    if (then == IoCallback.END_EXCHANGE) {
      JsonResponses.sendBytes(exchange, error.status(), body);
    } else {
      JsonResponses.sendBytes(exchange, error.status(), body, then);
    }
  }

  record ErrorBody(Detail error) {
    ErrorBody(String code, String message) {
      this(new Detail(code, message));
    }

    record Detail(String code, String message) {}
  }
}
