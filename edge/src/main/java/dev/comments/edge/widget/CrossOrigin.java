package dev.comments.edge.widget;

import dev.comments.edge.http.ApiException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CORS for the tenant routes ({@code /api}, {@code /live}, {@code /stream}): a browser page on an
 * origin the tenant allows may call them, with the headers the widget sends; any other origin is
 * refused with {@code 403 origin_not_allowed}, preflight included (the refusal of a simple request
 * is readable by the page, so that it can say why). A request without {@code Origin} (a server,
 * curl) or from the node's own origin (the demo page) passes untouched.
 */
public final class CrossOrigin implements HttpHandler {
  static final String ALLOWED_METHODS = "GET, POST, PATCH, DELETE";
  static final String ALLOWED_HEADERS =
      "Authorization, Content-Type, Idempotency-Key, X-Consistency-Token, If-None-Match";

  /** What the widget reads of an answer besides the simple headers. */
  static final String EXPOSED_HEADERS =
      "X-Thread-Position, X-Consistency-Token, X-Consistency, Idempotency-Key, Retry-After, ETag,"
          + " X-Served-By, X-Replica-Lag-Ms, X-Replica-Stale, Idempotent-Replayed";

  /** A browser may keep a preflight's answer this long (Chromium caps it at 2 h). */
  static final String PREFLIGHT_MAX_AGE = "600";

  private static final Pattern TENANT_ROUTE =
      Pattern.compile("^/(?:api|live|stream)/v1/tenants/([^/]+)(?:/.*)?$");
  private static final HttpString ORIGIN = HttpString.tryFromString("Origin");
  private static final HttpString REQUEST_METHOD =
      HttpString.tryFromString("Access-Control-Request-Method");

  private final Map<String, AllowedOrigins> origins;
  private final HttpHandler next;

  /**
   * @param origins each tenant's allowed origins; a tenant not in it allows none
   */
  public CrossOrigin(Map<String, AllowedOrigins> origins, HttpHandler next) {
    this.origins = Map.copyOf(origins);
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String origin = exchange.getRequestHeaders().getFirst(ORIGIN);
    Matcher route = TENANT_ROUTE.matcher(exchange.getRequestPath());
    if (origin == null || !route.matches() || sameOrigin(exchange, origin)) {
      next.handleRequest(exchange);
      return;
    }
    boolean preflight =
        exchange.getRequestMethod().equals(Methods.OPTIONS)
            && exchange.getRequestHeaders().contains(REQUEST_METHOD);
    AllowedOrigins allowed = origins.get(route.group(1));
    if (allowed == null && !preflight) {
      // No such tenant: its 404 (no data) is readable, so a mistyped tenant id says so.
      exchange.addResponseCommitListener(
          committed -> allow(committed.getResponseHeaders(), origin));
      next.handleRequest(exchange);
      return;
    }
    if (allowed == null || !allowed.allows(origin)) {
      if (!preflight) {
        // The refusal itself (no data) is readable, so the page can say why it shows nothing.
        exchange.addResponseCommitListener(
            committed -> allow(committed.getResponseHeaders(), origin));
      }
      throw new ApiException(
          403,
          "origin_not_allowed",
          "pages of this origin may not call this tenant's API; the tenant lists the origins it"
              + " allows (comments.tenants.<tenant>.allowed-origins)");
    }
    if (preflight) {
      HeaderMap headers = exchange.getResponseHeaders();
      allow(headers, origin);
      headers.put(HttpString.tryFromString("Access-Control-Allow-Methods"), ALLOWED_METHODS);
      headers.put(HttpString.tryFromString("Access-Control-Allow-Headers"), ALLOWED_HEADERS);
      headers.put(HttpString.tryFromString("Access-Control-Max-Age"), PREFLIGHT_MAX_AGE);
      exchange.setStatusCode(204);
      exchange.endExchange();
      return;
    }
    // Added as the answer is committed, so that an error answer, which starts from clean headers,
    // is readable by the page too: the widget shows what to do next from its code.
    exchange.addResponseCommitListener(
        committed -> {
          allow(committed.getResponseHeaders(), origin);
          committed
              .getResponseHeaders()
              .put(HttpString.tryFromString("Access-Control-Expose-Headers"), EXPOSED_HEADERS);
        });
    next.handleRequest(exchange);
  }

  private static void allow(HeaderMap headers, String origin) {
    headers.put(HttpString.tryFromString("Access-Control-Allow-Origin"), origin);
    headers.add(Headers.VARY, "Origin");
  }

  /** The node's own pages (the demo) send {@code Origin} on writes too; they need no CORS. */
  private static boolean sameOrigin(HttpServerExchange exchange, String origin) {
    String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
    return host != null
        && (origin.equalsIgnoreCase("http://" + host)
            || origin.equalsIgnoreCase("https://" + host));
  }
}
