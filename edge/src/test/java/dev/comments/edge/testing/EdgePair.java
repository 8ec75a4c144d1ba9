package dev.comments.edge.testing;

import dev.comments.edge.EdgeServer;
import dev.comments.edge.NodeRole;
import dev.comments.edge.ReadSide;
import dev.comments.edge.TenantSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A primary's edge and a replica's edge in front of it, both real Undertow servers on loopback,
 * with recording stand-ins for the command and query sides, and a {@link RecordingProxy} between
 * them that tells what crossed from the replica.
 */
public final class EdgePair implements AutoCloseable {
  public static final String MODERATOR_KEY = "demo-moderator-key-0001";

  public final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  public final RecordingCommands commands = new RecordingCommands();
  public final InMemoryIdempotencyKeys keys = new InMemoryIdempotencyKeys();
  public final FixedPositions positions = new FixedPositions();
  public final RecordingQueries primaryQueries = new RecordingQueries();
  public final RecordingQueries replicaQueries = new RecordingQueries();
  public final FakeProjectionStatus replicaStatus = new FakeProjectionStatus();
  public final InMemoryRevocations revocations = new InMemoryRevocations();
  public final PrometheusMeterRegistry primaryMeters =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  public final EdgeServer primary;
  public final EdgeServer replica;

  /** Between the replica and the primary: what crossed. */
  public final RecordingProxy link;

  private EdgePair(Map<String, TenantSettings> tenants) {
    primary =
        EdgeServer.start(
            settings("primary-1", tenants).build(),
            new NodeRole.Primary(commands, keys, positions, revocations),
            new ReadSide(primaryQueries, new QuietFeeds(), new FakeProjectionStatus(), revocations),
            primaryMeters,
            clock);
    link = RecordingProxy.to(URI.create("http://127.0.0.1:" + primary.port()));
    replica =
        EdgeServer.start(
            settings("replica-1", tenants).build(),
            new NodeRole.Replica(link.uri(), Duration.ofSeconds(30)),
            new ReadSide(replicaQueries, new QuietFeeds(), replicaStatus, revocations),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            clock);
  }

  /** Tenant {@code demo}, with {@code tenants} beside it. */
  public static EdgePair start(Map<String, TenantSettings> tenants) {
    return new EdgePair(tenants);
  }

  public static TestEdgeSettings settings(String nodeId, Map<String, TenantSettings> tenants) {
    return TestEdgeSettings.node(nodeId)
        .tenants(tenants)
        .consistencyWait(Duration.ofMillis(300))
        .bodyTimeout(Duration.ofSeconds(3));
  }

  /** Every request that crossed from the replica to the primary, counted as it arrived. */
  public long requestsAtPrimary() {
    return link.crossed.size();
  }

  @Override
  public void close() {
    replica.close();
    link.close();
    primary.close();
  }
}
