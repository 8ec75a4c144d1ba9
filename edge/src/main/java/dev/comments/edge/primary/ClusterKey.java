package dev.comments.edge.primary;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.security.DerivedKeys;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * Guards the routes only the nodes of a deployment call ({@code /internal/...}): the caller shows
 * {@value #HEADER}, a key every node derives from the shared secret for this purpose only.
 */
public final class ClusterKey implements HttpHandler {
  public static final String HEADER = "X-Cluster-Key";
  static final String PURPOSE = "comments/cluster-key/v1";

  private final byte[] expected;
  private final HttpHandler next;

  public ClusterKey(byte[] secret, HttpHandler next) {
    this.expected = of(secret).getBytes(StandardCharsets.US_ASCII);
    this.next = Objects.requireNonNull(next, "next");
  }

  /** The key, as sent in {@value #HEADER}. */
  public static String of(byte[] secret) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(DerivedKeys.derive(secret, PURPOSE));
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String given = exchange.getRequestHeaders().getFirst(HEADER);
    if (given == null
        || !DerivedKeys.constantTimeEquals(given.getBytes(StandardCharsets.US_ASCII), expected)) {
      throw ApiException.unauthorized(
          "invalid_cluster_key", "this route is for the nodes of the deployment only");
    }
    next.handleRequest(exchange);
  }
}
