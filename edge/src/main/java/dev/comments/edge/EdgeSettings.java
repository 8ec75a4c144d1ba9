package dev.comments.edge;

import dev.comments.edge.cdn.CdnSettings;
import dev.comments.edge.live.LiveLimits;
import dev.comments.edge.tls.TlsSettings;
import dev.comments.events.ThreadId;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a node's edge listens and what it serves.
 *
 * @param host the address to bind, e.g. {@code 0.0.0.0}
 * @param port the HTTP port, {@code 0} for any free one (see {@link EdgeServer#port()})
 * @param nodeId this node's name, sent as {@code X-Served-By}
 * @param tenants the tenants served, by tenant id; any other tenant is {@code 404}
 * @param keys the session, consistency-token and cluster keys; every node of a deployment needs the
 *     same ones
 * @param sessionTtl how long an anonymous session lives ({@link #DEFAULT_SESSION_TTL})
 * @param consistencyWait how long a read waits for the reader's own write ({@link
 *     #DEFAULT_CONSISTENCY_WAIT})
 * @param maxBodyBytes the largest request body taken ({@link #DEFAULT_MAX_BODY_BYTES})
 * @param ioThreads Undertow IO threads (non-blocking; about one per core)
 * @param workerThreads threads for blocking work; also how many API requests run at once, with
 *     {@link #QUEUED_REQUESTS_PER_WORKER} times as many waiting before {@code 503 overloaded}
 * @param bodyTimeout how long a client has to send its request headers, and then its body (from its
 *     headers to its last byte), before its connection is closed ({@link #DEFAULT_BODY_TIMEOUT})
 * @param live what live readers (websockets, event streams) are granted ({@link
 *     LiveLimits#DEFAULTS})
 * @param cdn the media CDN's cache and the upload limit ({@link CdnSettings#NONE}: no CDN)
 * @param tls the HTTPS listener (HTTP/2 and HTTP/1.1) and the TLS of calls to other nodes ({@link
 *     TlsSettings#NONE}: plain HTTP only)
 */
public record EdgeSettings(
    String host,
    int port,
    String nodeId,
    Map<String, TenantSettings> tenants,
    EdgeKeys keys,
    Duration sessionTtl,
    Duration consistencyWait,
    int maxBodyBytes,
    int ioThreads,
    int workerThreads,
    Duration bodyTimeout,
    LiveLimits live,
    CdnSettings cdn,
    TlsSettings tls) {
  public static final Duration DEFAULT_SESSION_TTL = Duration.ofDays(30);
  public static final Duration DEFAULT_CONSISTENCY_WAIT = Duration.ofSeconds(2);
  public static final int DEFAULT_MAX_BODY_BYTES = 65_536;
  public static final int QUEUED_REQUESTS_PER_WORKER = 32;

  /**
   * The same budget a client has for its headers. A body is at most 64 KiB and a comment mostly a
   * few hundred bytes: 10 s is enough at 64 kbit/s, and a trickling sender is cut off that soon.
   */
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(10);

  public EdgeSettings {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("nodeId must not be blank");
    }
    tenants = Map.copyOf(tenants);
    for (String tenant : tenants.keySet()) {
      if (!ThreadId.isValidTenant(tenant)) {
        throw new IllegalArgumentException("invalid tenant id: " + tenant);
      }
    }
    Objects.requireNonNull(keys, "keys");
    requirePositive(sessionTtl, "sessionTtl");
    Objects.requireNonNull(consistencyWait, "consistencyWait");
    if (consistencyWait.isNegative()) {
      throw new IllegalArgumentException("consistencyWait must not be negative");
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be positive");
    }
    if (ioThreads < 1 || workerThreads < 1) {
      throw new IllegalArgumentException("ioThreads and workerThreads must be positive");
    }
    requirePositive(bodyTimeout, "bodyTimeout");
    Objects.requireNonNull(live, "live");
    Objects.requireNonNull(cdn, "cdn");
    Objects.requireNonNull(tls, "tls");
  }

  private static void requirePositive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }
}
