package dev.comments.edge.http;

import dev.comments.events.TenantStream;
import dev.comments.events.ThreadId;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks the ids in the path before anything else looks at them ({@code 400 invalid_path}, {@code
 * 404 tenant_not_found}), and hands them out afterwards. Runs on the IO thread: it is cheap and
 * turns away junk before it can take a place in the queue.
 */
public final class PathParameters implements HttpHandler {
  private final Set<String> tenants;
  private final HttpHandler next;

  public PathParameters(Set<String> tenants, HttpHandler next) {
    this.tenants = Set.copyOf(tenants);
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    Map<String, String> parameters = parameters(exchange);
    String tenant = parameters.get("tenant");
    // A configured tenant's id is valid; only another one needs its form checked.
    if (tenant != null && !tenants.contains(tenant)) {
      if (!ThreadId.isValidTenant(tenant)) {
        throw ApiException.badRequest(
            "invalid_path",
            "the tenant id in the path is not valid: it must match [a-z0-9][a-z0-9-]{0,62}");
      }
      throw ApiException.notFound("tenant_not_found", "there is no tenant '" + tenant + "'");
    }
    String thread = parameters.get("thread");
    if (thread != null && !ThreadId.isValidThread(thread)) {
      throw ApiException.badRequest(
          "invalid_path",
          "the thread id in the path is not valid: it must match [A-Za-z0-9._~:-]{1,200}");
    }
    String userId = parameters.get("userId");
    if (userId != null && !ThreadId.isValidId(userId)) {
      throw ApiException.badRequest(
          "invalid_path",
          "the user id in the path is not valid: it must match [A-Za-z0-9._~:-]{1,200}");
    }
    String commentId = parameters.get("commentId");
    if (commentId != null && !ThreadId.isValidId(commentId)) {
      throw ApiException.badRequest(
          "invalid_path",
          "the comment id in the path is not valid: it must match [A-Za-z0-9._~:-]{1,200}");
    }
    String mediaId = parameters.get("mediaId");
    if (mediaId != null && !TenantStream.isValidKey(mediaId)) {
      throw ApiException.badRequest(
          "invalid_path",
          "the media id in the path is not valid: it must match [A-Za-z0-9._~-]{1,200}");
    }
    next.handleRequest(exchange);
  }

  /** The tenant of the path; only valid after this handler ran. */
  public static String tenant(HttpServerExchange exchange) {
    return required(exchange, "tenant");
  }

  public static ThreadId threadId(HttpServerExchange exchange) {
    return new ThreadId(tenant(exchange), required(exchange, "thread"));
  }

  public static String mediaId(HttpServerExchange exchange) {
    return required(exchange, "mediaId");
  }

  public static String commentId(HttpServerExchange exchange) {
    return required(exchange, "commentId");
  }

  /** Any other parameter of the route's path, which its handler checks. */
  public static String parameter(HttpServerExchange exchange, String name) {
    return required(exchange, name);
  }

  private static String required(HttpServerExchange exchange, String name) {
    String value = parameters(exchange).get(name);
    if (value == null) {
      throw new IllegalStateException("route has no path parameter " + name);
    }
    return value;
  }

  private static Map<String, String> parameters(HttpServerExchange exchange) {
    PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
    return match == null ? Map.of() : match.getParameters();
  }
}
