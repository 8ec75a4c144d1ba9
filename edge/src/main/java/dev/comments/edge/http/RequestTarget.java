package dev.comments.edge.http;

import dev.comments.events.ThreadId;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;
import java.util.Set;

/**
 * Refuses every request target but a plain path (origin-form) before anything routes it: an
 * absolute URL ({@code POST http://elsewhere/...}), a path that starts like an authority ({@code
 * //elsewhere/...}), dot segments, percent-encoding and any character no v1 path has. Tenant,
 * thread and comment ids are all {@code [A-Za-z0-9._~:-]}, so no legitimate path needs more; a
 * target that is not exactly what it looks like must never be routed, forwarded or resolved.
 */
public final class RequestTarget implements HttpHandler {
  /**
   * Pages published with a trailing slash ({@code /moderate/}, the moderators' page, also served at
   * {@code /moderate}): the only targets whose last segment may be empty.
   */
  public static final Set<String> PAGES_WITH_TRAILING_SLASH = Set.of("/moderate/");

  private final HttpHandler next;

  public RequestTarget(HttpHandler next) {
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    check(exchange);
    next.handleRequest(exchange);
  }

  /**
   * @throws ApiException {@code 400} with a code that names what is wrong with the target
   */
  static void check(HttpServerExchange exchange) {
    if (exchange.isHostIncludedInRequestURI()) {
      throw ApiException.badRequest(
          "absolute_form_target",
          "the request target must be a path such as /api/v1/..., not an absolute URL");
    }
    // The raw target as it came, before any decoding; the query is not part of it.
    String path = exchange.getRequestURI();
    if (path.isEmpty() || path.charAt(0) != '/') {
      throw ApiException.badRequest(
          "invalid_path", "the request target must be a path that starts with '/'");
    }
    if (path.startsWith("//")) {
      throw ApiException.badRequest(
          "authority_form_target",
          "the request target must not start with '//', which names a host instead of a path");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        throw ApiException.badRequest(
            "invalid_path",
            "the path must not be percent-encoded: every v1 path is plain [A-Za-z0-9._~:/-]");
      }
      if (!allowed(c)) {
        throw ApiException.badRequest(
            "invalid_path",
            "the path may only hold the characters [A-Za-z0-9._~:/-]; it has another");
      }
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw ApiException.badRequest(
            "invalid_path", "the path must not hold '.' or '..' segments");
      }
      if (segment.isEmpty() && path.length() > 1 && !PAGES_WITH_TRAILING_SLASH.contains(path)) {
        throw ApiException.badRequest(
            "invalid_path", "the path must not hold empty segments ('//' or a trailing '/')");
      }
    }
  }

  private static boolean allowed(char c) {
    return c == '/' || ThreadId.isIdCharacter(c);
  }
}
