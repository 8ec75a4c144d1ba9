package dev.comments.geodns;

import dev.comments.geodns.dns.NearestNodes;
import dev.comments.geodns.dns.QueryHandler;
import dev.comments.geodns.dns.SourceRateLimit;
import dev.comments.geodns.dns.TcpListener;
import dev.comments.geodns.dns.UdpListener;
import dev.comments.geodns.geo.GeoIndexReloader;
import dev.comments.geodns.geo.Site;
import dev.comments.geodns.node.Node;
import dev.comments.geodns.node.NodeMap;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authoritative GeoDNS server, embeddable in the node process: {@link #start} it with settings,
 * the live node map and a clock, {@link #close} it to stop. UDP and TCP listen on one port.
 */
public final class GeoDnsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GeoDnsServer.class);
  private static final int BIND_ATTEMPTS = 20;

  private final GeoIndexReloader index;
  private final UdpListener udp;
  private final TcpListener tcp;

  private GeoDnsServer(GeoIndexReloader index, UdpListener udp, TcpListener tcp) {
    this.index = index;
    this.udp = udp;
    this.tcp = tcp;
  }

  /**
   * Builds the index, binds and starts answering.
   *
   * @throws dev.comments.geodns.geo.IndexBuildException when the database is unusable: a server
   *     that would place every client at the fallback must not start quietly
   * @throws IOException when the port cannot be bound
   */
  public static GeoDnsServer start(
      GeoDnsSettings settings, NodeMap nodes, Clock clock, MeterRegistry meters)
      throws IOException {
    List<Site> sites =
        nodes.nodes().stream().map(Node::site).sorted(Comparator.comparing(Site::nodeId)).toList();
    GeoIndexReloader index =
        new GeoIndexReloader(
            settings.database(),
            settings.fallback(),
            sites,
            settings.rebuildEvery(),
            clock,
            meters);
    QueryHandler handler =
        new QueryHandler(
            settings.zones(),
            new NearestNodes(nodes, index, settings.answers()),
            settings.ttl(),
            settings.failOpenTtl(),
            settings.maxUdpPayload(),
            meters);
    SourceRateLimit limit =
        new SourceRateLimit(settings.perSourceQps(), settings.perSourceBurst(), 100_000, clock);
    GeoDnsServer server;
    try {
      server = bind(settings, handler, limit, meters, index);
    } catch (BindException e) {
      index.close();
      // The JDK's and the C library's messages name neither the port nor what wanted it.
      BindException named =
          new BindException(
              "cannot listen for DNS (UDP and TCP) on "
                  + settings.bind().getAddress().getHostAddress()
                  + " port "
                  + settings.bind().getPort()
                  + ": "
                  + e.getMessage());
      named.initCause(e);
      throw named;
    }
    index.watch(settings.checkFileEvery());
    server.udp.start();
    server.tcp.start();
    LOG.info(
        "GeoDNS answering on {} port {} (UDP and TCP; UDP: {} threads, {})",
        settings.bind().getAddress(),
        server.port(),
        settings.udpThreads(),
        server.udpIo());
    return server;
  }

  /**
   * Binds UDP, then TCP on the same port; with port 0 it retries until one port is free for both.
   */
  private static GeoDnsServer bind(
      GeoDnsSettings settings,
      QueryHandler handler,
      SourceRateLimit limit,
      MeterRegistry meters,
      GeoIndexReloader index)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      UdpListener udp =
          new UdpListener(
              settings.bind(), settings.udpThreads(), settings.udpBatch(), handler, limit, meters);
      try {
        TcpListener tcp =
            new TcpListener(
                new InetSocketAddress(settings.bind().getAddress(), udp.port()),
                handler,
                limit,
                settings.maxTcpConnections(),
                settings.tcpIdleTimeout(),
                meters);
        return new GeoDnsServer(index, udp, tcp);
      } catch (BindException e) {
        closeQuietly(udp);
        if (settings.bind().getPort() != 0 || attempt == BIND_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** The port both listeners are bound to. */
  public int port() {
    return udp.port();
  }

  /** How UDP datagrams move: batched system calls, or the JDK's channel as the fallback. */
  public UdpListener.Io udpIo() {
    return udp.io();
  }

  /** Rebuilds the index now (as an operator's command would); false if it failed. */
  public boolean reloadIndex() {
    return index.reload();
  }

  @Override
  public void close() {
    index.close();
    closeQuietly(udp);
    try {
      tcp.close();
    } catch (IOException e) {
      LOG.warn("closing the TCP listener failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(UdpListener udp) {
    try {
      udp.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
