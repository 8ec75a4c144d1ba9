package dev.comments.edge.tls;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;

/**
 * In production, plain HTTP is only a way to HTTPS: every request but a health check is redirected
 * ({@code 308}, which keeps the method and body), and every HTTPS answer carries {@code
 * Strict-Transport-Security}, so that browsers never try plain HTTP again. Health checks stay on
 * plain HTTP for load balancers and orchestrators that probe without TLS.
 */
public final class TransportSecurity implements HttpHandler {
  static final String HEALTH_PREFIX = "/health/";
  private static final HttpString STRICT_TRANSPORT_SECURITY =
      HttpString.tryFromString("Strict-Transport-Security");

  /** A host name or IPv4 literal, or a bracketed IPv6 literal: nothing else goes into Location. */
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]+]");

  private final boolean redirect;
  private final String hsts;
  private final IntSupplier httpsPort;
  private final HttpHandler next;

  /**
   * @param httpsPort the HTTPS listener's port, known once it is bound
   */
  public TransportSecurity(TlsSettings settings, IntSupplier httpsPort, HttpHandler next) {
    Objects.requireNonNull(settings, "settings");
    this.redirect = settings.enabled() && settings.redirectHttp();
    long maxAge = settings.hstsMaxAge().toSeconds();
    this.hsts = settings.enabled() && maxAge > 0 ? "max-age=" + maxAge : null;
    this.httpsPort = Objects.requireNonNull(httpsPort, "httpsPort");
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (exchange.isSecure()) {
      if (hsts != null) {
        exchange.getResponseHeaders().put(STRICT_TRANSPORT_SECURITY, hsts);
      }
      next.handleRequest(exchange);
      return;
    }
    if (!redirect || exchange.getRequestPath().startsWith(HEALTH_PREFIX)) {
      next.handleRequest(exchange);
      return;
    }
    String host = exchange.getHostName();
    if (host == null || !HOST.matcher(host).matches()) {
      exchange.setStatusCode(400);
      exchange.getResponseSender().send("a Host header is required\n");
      return;
    }
    int port = httpsPort.getAsInt();
    String target = exchange.isHostIncludedInRequestURI() ? "/" : exchange.getRequestURI();
    String query = exchange.getQueryString();
    exchange.setStatusCode(308);
    exchange
        .getResponseHeaders()
        .put(
            Headers.LOCATION,
            "https://"
                + host
                + (port == 443 ? "" : ":" + port)
                + target
                + (query.isEmpty() ? "" : "?" + query));
    exchange.endExchange();
  }
}
