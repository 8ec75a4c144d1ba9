package dev.comments.edge;

import dev.comments.edge.live.LiveHub;
import dev.comments.edge.mesh.Heartbeats;
import dev.comments.edge.tls.HttpsListener;
import dev.comments.edge.tls.NodeTls;
import dev.comments.edge.tls.TlsSettings;
import dev.comments.edge.tls.TransportSecurity;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.HttpHandler;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Option;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Sequence;
import org.xnio.SslClientAuthMode;

/**
 * The node's front door: an Undertow server with the v1 API, health and metrics. It talks to the
 * command and query sides through their ports only; on a replica, commands go to the primary.
 */
public final class EdgeServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);

  /**
   * Request bytes Undertow may still read and discard after a body was refused as too large, so
   * that the client gets its 413 instead of a reset connection; beyond it the connection is cut.
   */
  private static final long DRAIN_ALLOWANCE = 1L << 20;

  private static final int MAX_HEADER_BYTES = 32 * 1024;

  /**
   * A connection without a byte read or written for this long is closed: the backstop for a client
   * that stops reading its answer or sending its body. Far above the longest request (a read waits
   * at most a few seconds for its own write), since Undertow also counts time spent in a handler.
   */
  private static final int IDLE_TIMEOUT_MS = 60_000;

  /**
   * Undertow's I/O buffers ({@link IoBuffers}): direct, 16 KiB (its own choice for a heap this
   * size). Its builder's pool keeps no shared buffers at all, only 4 per thread, so under HTTP/2 (a
   * stream's buffer taken on one thread and given back on another) nearly every write allocated,
   * zeroed and freed a direct buffer: 5% of a loaded node's CPU. This pool keeps up to 1024 (16
   * MiB) for reuse.
   */
  private static final int BUFFER_BYTES = 16 * 1024;

  private static final int POOLED_BUFFERS = 1024;
  private static final int THREAD_BUFFERS = 4;

  private final Undertow undertow;
  private final Optional<HttpsListener> https;
  private final LiveHub live;
  private final Optional<Heartbeats> mesh;
  private final Optional<NodeTls> tls;
  private final boolean ownsTls;
  private final int port;
  private final OptionalInt httpsPort;

  private EdgeServer(
      Undertow undertow,
      Optional<HttpsListener> https,
      LiveHub live,
      Optional<Heartbeats> mesh,
      Optional<NodeTls> tls,
      boolean ownsTls) {
    this.undertow = undertow;
    this.https = https;
    this.live = live;
    this.mesh = mesh;
    this.tls = tls;
    this.ownsTls = ownsTls;
    this.port = portOf(undertow, "http").orElseThrow();
    this.httpsPort =
        https.map(listener -> OptionalInt.of(listener.port())).orElse(OptionalInt.empty());
  }

  private static OptionalInt portOf(Undertow undertow, String protocol) {
    return undertow.getListenerInfo().stream()
        .filter(listener -> listener.getProtcol().equals(protocol))
        .mapToInt(listener -> ((InetSocketAddress) listener.getAddress()).getPort())
        .findFirst();
  }

  /** A node outside any mesh: no heartbeat routes (tests of the API alone). */
  public static EdgeServer start(
      EdgeSettings settings,
      NodeRole role,
      ReadSide readSide,
      PrometheusMeterRegistry meters,
      Clock clock) {
    return start(settings, role, readSide, Optional.empty(), meters, clock);
  }

  /**
   * @param mesh the heartbeats this node exchanges with its peers, whose routes the edge serves
   */
  public static EdgeServer start(
      EdgeSettings settings,
      NodeRole role,
      ReadSide readSide,
      Optional<Heartbeats> mesh,
      PrometheusMeterRegistry meters,
      Clock clock) {
    Optional<NodeTls> own =
        settings.tls().enabled() ? Optional.of(NodeTls.start(settings.tls())) : Optional.empty();
    try {
      return start(settings, role, readSide, mesh, own, true, meters, clock);
    } catch (RuntimeException e) {
      own.ifPresent(NodeTls::close);
      throw e;
    }
  }

  /**
   * @param tls the node's TLS, started and closed by the caller, which shares it with its other
   *     clients (heartbeats): one watcher of the PEM files, one certificate for the whole node
   */
  public static EdgeServer start(
      EdgeSettings settings,
      NodeRole role,
      ReadSide readSide,
      Optional<Heartbeats> mesh,
      NodeTls tls,
      PrometheusMeterRegistry meters,
      Clock clock) {
    Objects.requireNonNull(tls, "tls");
    if (!tls.settings().equals(settings.tls())) {
      throw new IllegalArgumentException("the node's TLS was started with other settings");
    }
    return start(settings, role, readSide, mesh, Optional.of(tls), false, meters, clock);
  }

  private static EdgeServer start(
      EdgeSettings settings,
      NodeRole role,
      ReadSide readSide,
      Optional<Heartbeats> mesh,
      Optional<NodeTls> tls,
      boolean ownsTls,
      PrometheusMeterRegistry meters,
      Clock clock) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(readSide, "readSide");
    Objects.requireNonNull(meters, "meters");
    LiveHub live =
        new LiveHub(
            readSide.feeds(),
            readSide.queries(),
            readSide.blocked(),
            readSide.moderationQueue(),
            settings.live(),
            meters);
    // Presence counts the readers of every live node: this node shares its own, counts its peers'.
    mesh.ifPresent(
        heartbeats -> {
          heartbeats.mesh().presence().shareFrom(live::localViewers);
          live.countRemote(heartbeats.mesh().presence());
        });
    AtomicInteger boundHttpsPort = new AtomicInteger(settings.tls().port());
    HttpHandler routes =
        EdgeRoutes.build(
            settings,
            Objects.requireNonNull(role, "role"),
            readSide,
            live,
            Objects.requireNonNull(mesh, "mesh"),
            tls,
            meters,
            Objects.requireNonNull(clock, "clock"));
    HttpHandler root = new TransportSecurity(settings.tls(), boundHttpsPort::get, routes);
    OptionMap serverOptions =
        OptionMap.builder()
            // Undertow's chunked decoder takes this cap when the request head is parsed, before
            // any handler could raise it: it must admit the largest body a route takes (an
            // upload). Each route still refuses at its own limit (ReceiveBody, the upload count).
            .set(
                UndertowOptions.MAX_ENTITY_SIZE,
                Math.max(settings.maxBodyBytes(), settings.cdn().maxUploadBytes())
                    + DRAIN_ALLOWANCE)
            .set(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
            .set(UndertowOptions.MAX_HEADERS, 64)
            .set(UndertowOptions.MAX_PARAMETERS, 32)
            // Slow or idle clients must not keep a connection (and its buffers) for ever.
            .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) settings.bodyTimeout().toMillis())
            .set(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
            .set(UndertowOptions.IDLE_TIMEOUT, IDLE_TIMEOUT_MS)
            .getMap();
    // One pool for both listeners, as Undertow's own HTTPS listener shares it: HTTP/2 runs on
    // HTTPS.
    IoBuffers buffers = new IoBuffers(BUFFER_BYTES, POOLED_BUFFERS, THREAD_BUFFERS);
    Undertow.Builder builder =
        Undertow.builder()
            .setIoThreads(settings.ioThreads())
            .setWorkerThreads(settings.workerThreads())
            .setByteBufferPool(buffers)
            .setHandler(root);
    serverOptions.forEach(option -> setServerOption(builder, option, serverOptions));
    builder.addHttpListener(settings.port(), settings.host());
    Undertow undertow = builder.build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      throw named(e, "HTTP", settings.host(), settings.port());
    }
    Optional<HttpsListener> https;
    try {
      https =
          tls.map(
              nodeTls -> httpsListener(undertow, settings, nodeTls, buffers, serverOptions, root));
    } catch (RuntimeException e) {
      undertow.stop();
      throw named(e, "HTTPS", settings.host(), settings.tls().port());
    }
    EdgeServer server = new EdgeServer(undertow, https, live, mesh, tls, ownsTls);
    // Which TLS engine serves HTTPS: 1 for the one in use, so a fallback to the JDK shows on a
    // dashboard, not only in the start log.
    tls.ifPresent(
        nodeTls ->
            Gauge.builder("comments.tls.engine", () -> 1)
                .description("the TLS engine of the HTTPS listener (native or jdk)")
                .tag("engine", nodeTls.engine())
                .register(meters));
    server.httpsPort.ifPresent(boundHttpsPort::set);
    mesh.ifPresent(heartbeats -> heartbeats.mesh().listening());
    log.info(
        "Edge {} ({}) listening on http://{}:{}{} for tenants {}",
        settings.nodeId(),
        role.wireName(),
        settings.host(),
        server.port(),
        server.httpsPort.isPresent()
            ? " and https://" + settings.host() + ":" + server.httpsPort.getAsInt()
            : "",
        settings.tenants().keySet());
    logRateLimits(settings);
    return server;
  }

  /** Says at start whether the limits against abuse are on: off must never go unnoticed. */
  private static void logRateLimits(EdgeSettings settings) {
    List<String> off = new ArrayList<>();
    settings
        .tenants()
        .forEach(
            (tenant, tenantSettings) -> {
              if (!tenantSettings.limits().any()) {
                off.add(tenant);
              } else {
                log.info("Rate limits for tenant {}: {}", tenant, tenantSettings.limits());
              }
            });
    if (!off.isEmpty()) {
      log.warn(
          "Rate limits are OFF for tenants {} (--rate-limits off): nothing limits sessions,"
              + " posts, votes or flags per client",
          off);
    }
  }

  private static <T> void setServerOption(
      Undertow.Builder builder, Option<T> option, OptionMap options) {
    builder.setServerOption(option, options.get(option));
  }

  /**
   * The HTTPS listener, beside the plain HTTP/1.1 one (loopback tools, health checks, or the
   * redirect to HTTPS): HTTP/2 and HTTP/1.1 by ALPN, with the same server options, and a handshake
   * that must end within {@link EdgeSettings#bodyTimeout()} (the headers' bound too). HTTP/2 is
   * enabled on this listener only: on plain HTTP it would invite h2c upgrades, which no browser
   * makes and which would give every plain request a second code path.
   */
  private static HttpsListener httpsListener(
      Undertow undertow,
      EdgeSettings settings,
      NodeTls tls,
      ByteBufferPool buffers,
      OptionMap serverOptions,
      HttpHandler root) {
    return HttpsListener.open(
        undertow.getWorker(),
        new InetSocketAddress(settings.host(), settings.tls().port()),
        tls,
        buffers,
        sslOptions(settings.tls()),
        serverOptions,
        root,
        settings.bodyTimeout());
  }

  /**
   * A listener's failure to bind, saying which listener and where: the JDK's {@link BindException}
   * says only "Address already in use". Any other failure is returned as it is.
   */
  private static RuntimeException named(
      RuntimeException failure, String what, String host, int port) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof BindException bind) {
        BindException named =
            new BindException(
                "cannot listen for "
                    + what
                    + " on "
                    + host
                    + " port "
                    + port
                    + ": "
                    + bind.getMessage());
        named.initCause(failure);
        return new UncheckedIOException(named);
      }
    }
    return failure;
  }

  /** TLS 1.3 and 1.2 only, with {@link NodeTls#CIPHER_SUITES}; client certificates if asked. */
  private static OptionMap sslOptions(TlsSettings tls) {
    return OptionMap.builder()
        .set(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(NodeTls.PROTOCOLS))
        .set(Options.SSL_ENABLED_CIPHER_SUITES, Sequence.of(NodeTls.CIPHER_SUITES))
        .set(
            Options.SSL_CLIENT_AUTH_MODE,
            switch (tls.clientAuth()) {
              case NONE -> SslClientAuthMode.NOT_REQUESTED;
              case WANT -> SslClientAuthMode.REQUESTED;
              case REQUIRE -> SslClientAuthMode.REQUIRED;
            })
        .getMap();
  }

  /** The bound HTTP port; the real one when the settings asked for port 0. */
  public int port() {
    return port;
  }

  /** The bound HTTPS port, when TLS is on; the real one when the settings asked for port 0. */
  public OptionalInt httpsPort() {
    return httpsPort;
  }

  /** The node's TLS (certificate, reloads, the context of its clients), when it is on. */
  public Optional<NodeTls> tls() {
    return tls;
  }

  /**
   * Leaves the mesh's answers first (every peer is told at once), so that no client is sent here
   * once the listener is gone; then stops.
   */
  @Override
  public void close() {
    mesh.ifPresent(
        heartbeats -> {
          heartbeats.mesh().leaving();
          heartbeats.tellNow();
        });
    live.close();
    https.ifPresent(HttpsListener::close);
    undertow.stop();
    if (ownsTls) {
      tls.ifPresent(NodeTls::close);
    }
  }
}
