package dev.comments.edge.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;
import io.undertow.util.PathTemplateMatcher;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the handler for a method and a path template. Unlike Undertow's RoutingHandler it answers
 * 405 with an {@code Allow} header, and it never copies path parameters into the query parameters,
 * where {@code ?tenant=other} could shadow the tenant in the path.
 */
public final class Router implements HttpHandler {
  /** The path template that matched, e.g. {@code /api/v1/tenants/{tenant}/sessions}. */
  public static final AttachmentKey<String> ROUTE = AttachmentKey.create(String.class);

  private final PathTemplateMatcher<Map<HttpString, HttpHandler>> matcher;

  private Router(PathTemplateMatcher<Map<HttpString, HttpHandler>> matcher) {
    this.matcher = matcher;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    PathTemplateMatcher.PathMatchResult<Map<HttpString, HttpHandler>> match =
        matcher.match(exchange.getRelativePath());
    if (match == null) {
      throw ApiException.notFound("not_found", "no such resource in the v1 API");
    }
    exchange.putAttachment(ROUTE, match.getMatchedTemplate());
    HttpHandler handler = match.getValue().get(exchange.getRequestMethod());
    if (handler == null) {
      String allow =
          String.join(", ", match.getValue().keySet().stream().map(String::valueOf).toList());
      throw new ApiException(
          405,
          "method_not_allowed",
          exchange.getRequestMethod() + " is not allowed here; allowed: " + allow,
          Map.of("Allow", allow));
    }
    exchange.putAttachment(
        PathTemplateMatch.ATTACHMENT_KEY,
        new PathTemplateMatch(match.getMatchedTemplate(), match.getParameters()));
    handler.handleRequest(exchange);
  }

  /** Collects routes; a template may serve several methods. */
  public static final class Builder {
    private final Map<String, Map<HttpString, HttpHandler>> routes = new LinkedHashMap<>();

    private Builder() {}

    public Builder route(String method, String template, HttpHandler handler) {
      Map<HttpString, HttpHandler> methods =
          routes.computeIfAbsent(template, t -> new LinkedHashMap<>());
      if (methods.putIfAbsent(HttpString.tryFromString(method), Objects.requireNonNull(handler))
          != null) {
        throw new IllegalArgumentException("duplicate route: " + method + " " + template);
      }
      return this;
    }

    public Router build() {
      PathTemplateMatcher<Map<HttpString, HttpHandler>> matcher = new PathTemplateMatcher<>();
      routes.forEach(
          (template, methods) ->
              matcher.add(template, Collections.unmodifiableMap(new LinkedHashMap<>(methods))));
      return new Router(matcher);
    }
  }
}
