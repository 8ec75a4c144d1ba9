package dev.comments.edge.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the handler for a method and a path template. Unlike Undertow's RoutingHandler it answers
 * 405 with an {@code Allow} header, and it never copies path parameters into the query parameters,
 * where {@code ?tenant=other} could shadow the tenant in the path.
 *
 * <p>Templates are whole segments, each a literal or a {@code {parameter}}, kept as a tree of
 * segments: a path is matched in one walk over its characters, a literal segment before a parameter
 * at the same place, allocating only the array of its parameters' bounds until it has matched.
 * (Undertow's {@code PathTemplateMatcher} tried every template of a stem in turn, and all v1 API
 * templates share the stem {@code /api/v1/tenants}: a tenth of a loaded node's request threads'
 * time.) A parameter matches any segment, the empty one too; {@link RequestTarget} has refused
 * every empty segment but the last of {@code /moderate/} before a path gets here.
 */
public final class Router implements HttpHandler {
  /** The path template that matched, e.g. {@code /api/v1/tenants/{tenant}/sessions}. */
  public static final AttachmentKey<String> ROUTE = AttachmentKey.create(String.class);

  private final Segment root;

  /** The most segments of any template, to size the bounds a match records. */
  private final int depth;

  private Router(Segment root, int depth) {
    this.root = root;
    this.depth = depth;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String path = exchange.getRelativePath();
    int[] bounds = new int[2 * depth];
    Route route = path.startsWith("/") ? root.match(path, 1, 0, bounds) : null;
    if (route == null) {
      throw ApiException.notFound("not_found", "no such resource in the v1 API");
    }
    exchange.putAttachment(ROUTE, route.template());
    HttpHandler handler = route.methods().get(exchange.getRequestMethod());
    if (handler == null) {
      throw new ApiException(
          405,
          "method_not_allowed",
          exchange.getRequestMethod() + " is not allowed here; allowed: " + route.allow(),
          Map.of("Allow", route.allow()));
    }
    exchange.putAttachment(
        PathTemplateMatch.ATTACHMENT_KEY,
        new PathTemplateMatch(route.template(), route.parameters(path, bounds)));
    handler.handleRequest(exchange);
  }

  /**
   * A template's route: its handlers by method, the {@code Allow} header that lists them, and its
   * parameters' names in the order they appear.
   */
  private record Route(
      String template, Map<HttpString, HttpHandler> methods, String allow, List<String> names) {
    Map<String, String> parameters(String path, int[] bounds) {
      if (names.isEmpty()) {
        return Map.of();
      }
      Map<String, String> values = HashMap.newHashMap(names.size());
      for (int i = 0; i < names.size(); i++) {
        values.put(names.get(i), path.substring(bounds[2 * i], bounds[2 * i + 1]));
      }
      return values;
    }
  }

  /** A literal segment and what follows it. */
  private record Literal(String name, Segment next) {}

  /**
   * One segment of the templates: the literal segments and the parameter that may follow it, and
   * the route that ends here, if one does.
   */
  private static final class Segment {
    private final List<Literal> literals = new ArrayList<>();
    private Segment parameter;
    private String parameterName;
    private Route route;

    /**
     * The route of the path from {@code start} (just after a '/'), or null; records the bounds of
     * each parameter's segment in {@code bounds}, from {@code parameters * 2} on.
     */
    Route match(String path, int start, int parameters, int[] bounds) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? path.length() : slash;
      int length = end - start;
      for (Literal literal : literals) {
        String name = literal.name();
        if (name.length() == length && path.regionMatches(start, name, 0, length)) {
          Route found = literal.next().next(path, slash, parameters, bounds);
          if (found != null) {
            return found;
          }
        }
      }
      if (parameter != null) {
        bounds[2 * parameters] = start;
        bounds[2 * parameters + 1] = end;
        return parameter.next(path, slash, parameters + 1, bounds);
      }
      return null;
    }

    /** This segment's route when the path ends here, else the match of the rest of the path. */
    private Route next(String path, int slash, int parameters, int[] bounds) {
      return slash < 0 ? route : match(path, slash + 1, parameters, bounds);
    }

    /** The segment after this one for a literal, made on first use. */
    Segment literal(String name) {
      for (Literal literal : literals) {
        if (literal.name().equals(name)) {
          return literal.next();
        }
      }
      Segment next = new Segment();
      literals.add(new Literal(name, next));
      return next;
    }
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

    /**
     * @throws IllegalArgumentException for a template that is not a path of whole segments, or that
     *     matches the same paths as another (the same shape under other parameter names)
     */
    public Router build() {
      Segment root = new Segment();
      int depth = 0;
      for (Map.Entry<String, Map<HttpString, HttpHandler>> route : routes.entrySet()) {
        depth = Math.max(depth, add(root, route.getKey(), route.getValue()));
      }
      return new Router(root, depth);
    }

    /** Adds a template's route below the root; answers how many segments it has. */
    private static int add(Segment root, String template, Map<HttpString, HttpHandler> methods) {
      if (!template.startsWith("/")) {
        throw new IllegalArgumentException("a route template starts with '/': " + template);
      }
      Segment segment = root;
      List<String> names = new ArrayList<>();
      String[] parts = template.substring(1).split("/", -1);
      for (String part : parts) {
        if (part.startsWith("{") && part.endsWith("}") && part.length() > 2) {
          String name = part.substring(1, part.length() - 1);
          if (segment.parameter == null) {
            segment.parameter = new Segment();
            segment.parameterName = name;
          } else if (!segment.parameterName.equals(name)) {
            throw new IllegalArgumentException(
                "route "
                    + template
                    + " names {"
                    + name
                    + "} where another names {"
                    + segment.parameterName
                    + "}");
          }
          names.add(name);
          segment = segment.parameter;
        } else if (part.contains("{") || part.contains("}") || part.contains("*")) {
          throw new IllegalArgumentException(
              "a route template's segments are literals or whole {parameters}: " + template);
        } else {
          segment = segment.literal(part);
        }
      }
      if (segment.route != null) {
        throw new IllegalArgumentException(
            "routes " + segment.route.template() + " and " + template + " match the same paths");
      }
      segment.route =
          new Route(
              template,
              Collections.unmodifiableMap(new LinkedHashMap<>(methods)),
              String.join(", ", methods.keySet().stream().map(String::valueOf).toList()),
              List.copyOf(names));
      return parts.length;
    }
  }
}
