package dev.comments.geodns;

import dev.comments.geodns.dns.NameServer;
import dev.comments.geodns.dns.Zone;
import dev.comments.geodns.geo.Coordinates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Everything the server is told. {@link #dev(Path)} gives the defaults; production differs in
 * {@code bind} (port 53), the database and the zones.
 *
 * @param fallback where addresses missing from the database are placed
 * @param answers how many addresses one answer holds, nearest first
 * @param failOpenTtl the TTL when no node is serving and the nearest are answered anyway
 * @param maxUdpPayload the largest UDP answer sent and the EDNS buffer size advertised
 * @param rebuildEvery how often the index is rebuilt even if the file did not change
 * @param checkFileEvery how often the database file is looked at for a new version
 * @param perSourceQps queries per second one source (IPv4 address, IPv6 /64) may send; 0 is off
 * @param udpThreads threads receiving and answering UDP queries, each on a socket of its own
 *     (default: one per core)
 * @param udpBatch the most datagrams one system call receives or sends per UDP thread ({@code
 *     recvmmsg}/{@code sendmmsg}, Linux with native access); 1, or where those are not available,
 *     one per call through the JDK's channel
 */
public record GeoDnsSettings(
    InetSocketAddress bind,
    Path database,
    List<Zone> zones,
    Coordinates fallback,
    Duration ttl,
    int answers,
    Duration failOpenTtl,
    int maxUdpPayload,
    Duration rebuildEvery,
    Duration checkFileEvery,
    long perSourceQps,
    long perSourceBurst,
    int maxTcpConnections,
    Duration tcpIdleTimeout,
    int udpThreads,
    int udpBatch) {
  public static final int PRODUCTION_PORT = 53;
  public static final int DEV_PORT = 5353;

  /** Never more, so that a TCP answer stays far below its 64 KiB frame. */
  static final int MAX_ANSWERS = 64;

  static final int MAX_UDP_THREADS = 256;

  static final int MAX_UDP_BATCH = 1024;

  /** gdnsd's default: enough to empty the queue under load, few enough to answer promptly. */
  static final int DEFAULT_UDP_BATCH = 32;

  public GeoDnsSettings {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(fallback, "fallback");
    zones = List.copyOf(zones);
    if (zones.isEmpty()) {
      throw new IllegalArgumentException("at least one zone is needed");
    }
    if (answers < 1 || answers > MAX_ANSWERS) {
      throw new IllegalArgumentException("answers must be 1.." + MAX_ANSWERS + ": " + answers);
    }
    if (ttl.isNegative() || failOpenTtl.isNegative()) {
      throw new IllegalArgumentException("TTLs must not be negative");
    }
    if (maxUdpPayload < 512 || maxUdpPayload > 4096) {
      throw new IllegalArgumentException("maxUdpPayload must be 512..4096: " + maxUdpPayload);
    }
    if (udpThreads < 1 || udpThreads > MAX_UDP_THREADS) {
      throw new IllegalArgumentException(
          "udpThreads must be 1.." + MAX_UDP_THREADS + ": " + udpThreads);
    }
    if (udpBatch < 1 || udpBatch > MAX_UDP_BATCH) {
      throw new IllegalArgumentException("udpBatch must be 1.." + MAX_UDP_BATCH + ": " + udpBatch);
    }
  }

  /**
   * The dev defaults: port 5353 on loopback, zone {@code comments.test.} (deployment {@code
   * global}) whose service is {@code edge.comments.test.}, TTL 30 s, one address, the fallback in
   * Frankfurt, a weekly rebuild.
   */
  public static GeoDnsSettings dev(Path database) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    Zone zone =
        Zone.of(
            "comments.test.",
            "global",
            "edge",
            new NameServer(
                org.xbill.DNS.Name.fromConstantString("ns1.comments.test."), List.of(loopback)));
    return new GeoDnsSettings(
        new InetSocketAddress(loopback, DEV_PORT),
        database,
        List.of(zone),
        new Coordinates(50.11, 8.68),
        Duration.ofSeconds(30),
        1,
        Duration.ofSeconds(5),
        1232,
        Duration.ofDays(7),
        Duration.ofSeconds(10),
        1000,
        2000,
        256,
        Duration.ofSeconds(10),
        Runtime.getRuntime().availableProcessors(),
        DEFAULT_UDP_BATCH);
  }

  public GeoDnsSettings withBind(InetSocketAddress newBind) {
    return with(copy -> copy.bind = newBind);
  }

  public GeoDnsSettings withZones(List<Zone> newZones) {
    return with(copy -> copy.zones = newZones);
  }

  public GeoDnsSettings withFallback(Coordinates newFallback) {
    return with(copy -> copy.fallback = newFallback);
  }

  public GeoDnsSettings withAnswers(int newAnswers) {
    return with(copy -> copy.answers = newAnswers);
  }

  public GeoDnsSettings withCheckFileEvery(Duration every) {
    return with(copy -> copy.checkFileEvery = every);
  }

  public GeoDnsSettings withRateLimit(long qps, long burst) {
    return with(
        copy -> {
          copy.perSourceQps = qps;
          copy.perSourceBurst = burst;
        });
  }

  public GeoDnsSettings withTtl(Duration newTtl) {
    return with(copy -> copy.ttl = newTtl);
  }

  public GeoDnsSettings withUdpThreads(int threads) {
    return with(copy -> copy.udpThreads = threads);
  }

  public GeoDnsSettings withUdpBatch(int batch) {
    return with(copy -> copy.udpBatch = batch);
  }

  /** These settings with {@code change} made to a copy of their fields, checked again. */
  private GeoDnsSettings with(Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.settings();
  }

  /** The fields of one settings record, some of them to change. */
  private static final class Copy {
    private InetSocketAddress bind;
    private Path database;
    private List<Zone> zones;
    private Coordinates fallback;
    private Duration ttl;
    private int answers;
    private Duration failOpenTtl;
    private int maxUdpPayload;
    private Duration rebuildEvery;
    private Duration checkFileEvery;
    private long perSourceQps;
    private long perSourceBurst;
    private int maxTcpConnections;
    private Duration tcpIdleTimeout;
    private int udpThreads;
    private int udpBatch;

    Copy(GeoDnsSettings settings) {
      bind = settings.bind;
      database = settings.database;
      zones = settings.zones;
      fallback = settings.fallback;
      ttl = settings.ttl;
      answers = settings.answers;
      failOpenTtl = settings.failOpenTtl;
      maxUdpPayload = settings.maxUdpPayload;
      rebuildEvery = settings.rebuildEvery;
      checkFileEvery = settings.checkFileEvery;
      perSourceQps = settings.perSourceQps;
      perSourceBurst = settings.perSourceBurst;
      maxTcpConnections = settings.maxTcpConnections;
      tcpIdleTimeout = settings.tcpIdleTimeout;
      udpThreads = settings.udpThreads;
      udpBatch = settings.udpBatch;
    }

    GeoDnsSettings settings() {
      return new GeoDnsSettings(
          bind,
          database,
          zones,
          fallback,
          ttl,
          answers,
          failOpenTtl,
          maxUdpPayload,
          rebuildEvery,
          checkFileEvery,
          perSourceQps,
          perSourceBurst,
          maxTcpConnections,
          tcpIdleTimeout,
          udpThreads,
          udpBatch);
    }
  }
}
