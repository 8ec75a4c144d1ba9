package dev.comments.edge.primary;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.security.DerivedKeys;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * Guards the routes only the nodes of a deployment call ({@code /internal/...}): the caller shows
 * {@value #HEADER}: {@code kid "." key}, the key derived from the named cluster key's secret for
 * this purpose only. Callers send their current key; the current key or a previous one still in its
 * window is let through, so the cluster key can be rotated node by node.
 */
public final class ClusterKey implements HttpHandler {
  public static final String HEADER = "X-Cluster-Key";
  static final String PURPOSE = "comments/cluster-key/v1";

  private final KeyRing keys;
  private final Clock clock;
  private final HttpHandler next;

  public ClusterKey(KeyRing keys, Clock clock, HttpHandler next) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.next = Objects.requireNonNull(next, "next");
  }

  /** The value of {@value #HEADER} a node sends: always its current key. */
  public static String headerOf(KeyRing keys) {
    return headerOf(keys.current());
  }

  static String headerOf(SigningKey key) {
    return key.id()
        + "."
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(DerivedKeys.derive(key.secret(), PURPOSE));
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String given = exchange.getRequestHeaders().getFirst(HEADER);
    if (!accepts(keys, clock.instant(), given)) {
      throw ApiException.unauthorized(
          "invalid_cluster_key", "this route is for the nodes of the deployment only");
    }
    next.handleRequest(exchange);
  }

  /** Whether {@code given} is a {@value #HEADER} value that {@code keys} accept at {@code now}. */
  public static boolean accepts(KeyRing keys, Instant now, String given) {
    if (given == null) {
      return false;
    }
    int dot = given.indexOf('.');
    if (dot < 1) {
      return false;
    }
    Optional<SigningKey> key = keys.verifying(given.substring(0, dot), now);
    return key.isPresent()
        && DerivedKeys.constantTimeEquals(
            given.getBytes(StandardCharsets.US_ASCII),
            headerOf(key.get()).getBytes(StandardCharsets.US_ASCII));
  }
}
