package dev.comments.edge.testing;

import dev.comments.edge.EdgeSettings;
import dev.comments.edge.TenantSettings;
import dev.comments.edge.cdn.CdnSettings;
import dev.comments.edge.live.LiveLimits;
import dev.comments.edge.tls.TlsSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * {@link EdgeSettings} for a test's edge on loopback: a free port, the test keys, the tenant {@code
 * demo}, the defaults of production, one I/O thread and four workers, no CDN and no TLS; a test
 * names only what it changes.
 */
public final class TestEdgeSettings {
  private final String nodeId;
  private int port;
  private Map<String, TenantSettings> tenants =
      Map.of("demo", new TenantSettings("demo-moderator-key-0001"));
  private Duration consistencyWait = EdgeSettings.DEFAULT_CONSISTENCY_WAIT;
  private int ioThreads = 1;
  private int workerThreads = 4;
  private Duration bodyTimeout = EdgeSettings.DEFAULT_BODY_TIMEOUT;
  private CdnSettings cdn = CdnSettings.NONE;
  private TlsSettings tls = TlsSettings.NONE;

  private TestEdgeSettings(String nodeId) {
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
  }

  public static TestEdgeSettings node(String nodeId) {
    return new TestEdgeSettings(nodeId);
  }

  public TestEdgeSettings port(int port) {
    this.port = port;
    return this;
  }

  public TestEdgeSettings tenants(Map<String, TenantSettings> tenants) {
    this.tenants = tenants;
    return this;
  }

  public TestEdgeSettings consistencyWait(Duration consistencyWait) {
    this.consistencyWait = consistencyWait;
    return this;
  }

  public TestEdgeSettings threads(int ioThreads, int workerThreads) {
    this.ioThreads = ioThreads;
    this.workerThreads = workerThreads;
    return this;
  }

  public TestEdgeSettings bodyTimeout(Duration bodyTimeout) {
    this.bodyTimeout = bodyTimeout;
    return this;
  }

  public TestEdgeSettings cdn(CdnSettings cdn) {
    this.cdn = cdn;
    return this;
  }

  public TestEdgeSettings tls(TlsSettings tls) {
    this.tls = tls;
    return this;
  }

  public EdgeSettings build() {
    return new EdgeSettings(
        "127.0.0.1",
        port,
        nodeId,
        tenants,
        TestKeys.edgeKeys(),
        EdgeSettings.DEFAULT_SESSION_TTL,
        consistencyWait,
        EdgeSettings.DEFAULT_MAX_BODY_BYTES,
        ioThreads,
        workerThreads,
        bodyTimeout,
        LiveLimits.DEFAULTS,
        cdn,
        tls);
  }
}
