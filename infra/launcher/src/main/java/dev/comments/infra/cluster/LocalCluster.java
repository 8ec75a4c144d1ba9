package dev.comments.infra.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.comments.edge.tls.Certificates;
import dev.comments.edge.tls.PemFiles;
import dev.comments.infra.dev.DevNode;
import dev.comments.infra.dev.DevSecrets;
import dev.comments.infra.dns.DevGeoDatabase;
import dev.comments.infra.kafka.KafkaBroker;
import dev.comments.infra.wan.DelayingProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A multi-region deployment on one machine: one Kafka broker, a primary node (the first region) and
 * one replica per other region. Each node is its own OS process ({@link ClusterMember}) with its
 * own MongoDB-wire server and database, listening on its own loopback address ({@code 127.0.1.1},
 * {@code 127.0.1.2}, ...) on the same HTTP port.
 *
 * <p>The latency between regions is simulated by {@link DelayingProxy}s on both paths that cross
 * regions: a replica's commands to the primary, and its Kafka connections (through a broker
 * listener of its own, advertised at its proxy). The broker stands in the primary's region.
 *
 * <p>{@code <data-dir>/cluster.json} says what runs where. A node stopped or killed may be started
 * again with {@code comments cluster start NODE}, which drops a request into {@code
 * <data-dir>/control/}; this process starts the node, so that Ctrl-C still stops everything.
 */
public final class LocalCluster implements AutoCloseable {
  public static final String CLUSTER_JSON = "cluster.json";
  static final String CONTROL_DIR = "control";
  static final String START_REQUEST = "start-";

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Duration NODE_READY_TIMEOUT = Duration.ofMinutes(3);
  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** How the latency between regions is simulated. */
  public sealed interface Wan {
    /** No simulated latency: every path is plain loopback. */
    record Off() implements Wan {}

    /** Each pair of regions at the latency its distance gives ({@link Region#oneWayLatency}). */
    record ByDistance() implements Wan {}

    /** The same one-way latency between any two regions. */
    record Fixed(Duration oneWay) implements Wan {}
  }

  /**
   * The DNS server every node runs on its own address.
   *
   * @param port the same on every node (5353 by default)
   * @param ttl the answers' TTL; a rollout waits this long (plus a grace) after draining a node
   */
  public record Dns(int port, Duration ttl) {
    public static final int DEFAULT_PORT = 5353;
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
  }

  /** A node of the cluster; {@code process} is null while it does not run. */
  private static final class Member {
    final String id;
    final Region region;
    final boolean primary;
    final String address;
    final Path dir;
    final Duration oneWay;
    volatile Process process;
    volatile String mongo;

    /** The node's loopback address as bytes: no name lookup is involved. */
    byte[] ip() {
      String[] parts = address.split("\\.", -1);
      byte[] ip = new byte[4];
      for (int i = 0; i < 4; i++) {
        ip[i] = (byte) Integer.parseInt(parts[i]);
      }
      return ip;
    }

    Member(String id, Region region, boolean primary, String address, Path dir, Duration oneWay) {
      this.id = id;
      this.region = region;
      this.primary = primary;
      this.address = address;
      this.dir = dir;
      this.oneWay = oneWay;
    }
  }

  /** The cluster's certificate authority and each node's certificate, made at every start. */
  public static final String TLS_DIR = "tls";

  public static final String CA_FILE = "ca.pem";

  private final Path dataDir;
  private final int httpPort;
  private final int httpsPort;
  private final Dns dns;
  private final Wan wan;
  private final boolean rateLimits;
  private final List<Member> members;
  private final List<AutoCloseable> proxies = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private KafkaBroker broker;
  private volatile boolean closing;
  private Thread watcher;

  private LocalCluster(
      Path dataDir,
      int httpPort,
      int httpsPort,
      Dns dns,
      Wan wan,
      boolean rateLimits,
      List<Member> members) {
    this.dataDir = dataDir;
    this.httpPort = httpPort;
    this.httpsPort = httpsPort;
    this.dns = dns;
    this.wan = wan;
    this.rateLimits = rateLimits;
    this.members = members;
  }

  /**
   * Starts every part, the primary first, and returns once every node is ready.
   *
   * @param httpsPort every node's HTTPS port (on its own address); nodes call each other there
   * @param rateLimits whether the nodes limit clients (on by default; off for benchmarks)
   */
  public static LocalCluster start(
      List<Region> regions,
      Path dataDir,
      int httpPort,
      int httpsPort,
      Dns dns,
      Wan wan,
      boolean rateLimits)
      throws IOException, InterruptedException {
    if (regions.isEmpty()) {
      throw new IllegalArgumentException("a cluster needs at least one region");
    }
    if (regions.stream().map(Region::name).distinct().count() != regions.size()) {
      throw new IllegalArgumentException("each region may appear once: " + regions);
    }
    Path dir = Files.createDirectories(dataDir.toAbsolutePath());
    Files.createDirectories(dir.resolve(CONTROL_DIR));
    try (Stream<Path> stale = Files.list(dir.resolve(CONTROL_DIR))) {
      for (Path request : stale.toList()) {
        Files.deleteIfExists(request);
      }
    }
    Region primaryRegion = regions.getFirst();
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      Region region = regions.get(i);
      String id = region.name() + "-1";
      members.add(
          new Member(
              id,
              region,
              i == 0,
              "127.0.1." + (i + 1),
              dir.resolve("nodes").resolve(id),
              oneWay(wan, primaryRegion, region)));
    }
    LocalCluster cluster =
        new LocalCluster(dir, httpPort, httpsPort, dns, wan, rateLimits, members);
    try {
      cluster.startAll();
    } catch (IOException | RuntimeException | InterruptedException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private static Duration oneWay(Wan wan, Region primary, Region region) {
    if (region.equals(primary)) {
      return Duration.ZERO;
    }
    return switch (wan) {
      case Wan.Off off -> Duration.ZERO;
      case Wan.ByDistance byDistance -> primary.oneWayLatency(region);
      case Wan.Fixed fixed -> fixed.oneWay();
    };
  }

  private void startAll() throws IOException, InterruptedException {
    Properties secrets = DevSecrets.load(dataDir.resolve("secrets.properties"));
    Member primary = members.getFirst();
    // Replicas reach the broker through their own listener, advertised at their own proxy.
    List<KafkaBroker.Listener> listeners = new ArrayList<>();
    Set<Integer> brokerPorts = new HashSet<>();
    Map<Member, String> bootstrap = new LinkedHashMap<>();
    Map<Member, String> primaryUrl = new LinkedHashMap<>();
    for (Member member : members) {
      if (member.primary || member.oneWay.isZero()) {
        continue;
      }
      int listenerPort = newFreePort(brokerPorts);
      DelayingProxy kafkaPath = proxy(new InetSocketAddress(LOOPBACK, listenerPort), member.oneWay);
      listeners.add(
          new KafkaBroker.Listener(
              listenerName(member), listenerPort, "127.0.0.1", kafkaPath.address().getPort()));
      bootstrap.put(member, "127.0.0.1:" + kafkaPath.address().getPort());
      DelayingProxy commandPath =
          proxy(
              new InetSocketAddress(InetAddress.getByAddress(primary.ip()), httpsPort),
              member.oneWay);
      primaryUrl.put(member, "https://127.0.0.1:" + commandPath.address().getPort());
    }
    Path ca = issueCertificates();
    broker = KafkaBroker.start(dataDir.resolve("kafka"), newFreePort(brokerPorts), listeners);
    Path geoDatabase = DevGeoDatabase.writeInto(dataDir.resolve("geoip"));
    for (Member member : members) {
      writeProperties(
          member,
          secrets,
          geoDatabase,
          bootstrap.getOrDefault(member, broker.bootstrapServers()),
          primaryUrl.getOrDefault(member, httpsUrl(primary)),
          ca);
    }
    // Replicas wait for the primary: it creates the event log they consume.
    startMember(primary);
    List<Member> replicas = members.subList(1, members.size());
    for (Member replica : replicas) {
      launch(replica);
    }
    for (Member replica : replicas) {
      awaitReady(replica);
    }
    writeClusterJson();
    watcher =
        Thread.ofPlatform().daemon().name("cluster-watcher").start(this::watchMembersAndRequests);
  }

  /**
   * A certificate authority for the cluster, and a certificate from it for each node, for the
   * node's address and 127.0.0.1 (where a replica's WAN proxy to the primary listens): the nodes
   * call each other over TLS and trust only this CA, as a production deployment would its own.
   */
  private Path issueCertificates() {
    Path tls = dataDir.resolve(TLS_DIR);
    Certificates.Issued authority = Certificates.authority("comments cluster CA");
    Path ca = tls.resolve(CA_FILE);
    PemFiles.write(ca, authority.certificate());
    for (Member member : members) {
      Certificates.issue(
              authority,
              List.of(member.id, "localhost"),
              List.of(InetAddress.ofLiteral(member.address), InetAddress.ofLiteral("127.0.0.1")))
          .writeTo(member.dir.resolve(TLS_DIR));
    }
    return ca;
  }

  /** A free port not in {@code taken}: the system may hand out the same free port twice. */
  private static int newFreePort(Set<Integer> taken) {
    while (true) {
      int port = KafkaBroker.freePort();
      if (taken.add(port)) {
        return port;
      }
    }
  }

  private DelayingProxy proxy(InetSocketAddress target, Duration oneWay) throws IOException {
    DelayingProxy proxy = DelayingProxy.start(new InetSocketAddress(LOOPBACK, 0), target, oneWay);
    proxies.add(proxy);
    return proxy;
  }

  private static String listenerName(Member member) {
    return "REGION_" + member.region.name().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  private void writeProperties(
      Member member, Properties secrets, Path geoDatabase, String kafka, String primaryUrl, Path ca)
      throws IOException {
    Files.createDirectories(member.dir);
    Properties node = new Properties();
    node.setProperty("comments.node.id", member.id);
    node.setProperty("comments.node.region", member.region.name());
    node.setProperty("comments.node.role", member.primary ? "primary" : "replica");
    if (!member.primary) {
      node.setProperty("comments.node.primary-url", primaryUrl);
    }
    node.setProperty("comments.http.host", member.address);
    node.setProperty("comments.http.port", Integer.toString(httpPort));
    node.setProperty(
        "comments.cdn.cache-dir", dataDir.resolve("cdn").resolve(member.id).toString());
    node.setProperty("comments.kafka.bootstrap-servers", kafka);
    node.setProperty("comments.limits.enabled", Boolean.toString(rateLimits));
    // The cluster's broker is one node: one copy of the log (it says so in its log).
    node.setProperty("comments.kafka.replication-factor", "1");
    // The mesh: heartbeats go straight to each peer's edge, not through the WAN proxies (they are
    // small and the failover timings should not depend on the simulated latency).
    node.setProperty("comments.mesh.latitude", Double.toString(member.region.latitude()));
    node.setProperty("comments.mesh.longitude", Double.toString(member.region.longitude()));
    node.setProperty("comments.mesh.addresses", member.address);
    node.setProperty(
        "comments.mesh.peers",
        String.join(",", members.stream().filter(m -> m != member).map(this::httpsUrl).toList()));
    // TLS beside plain HTTP (which local tools and scripts keep using): the nodes call each other
    // over it, with certificates of the cluster's CA.
    Path tls = member.dir.resolve(TLS_DIR);
    node.setProperty("comments.tls.enabled", "true");
    node.setProperty("comments.tls.port", Integer.toString(httpsPort));
    node.setProperty(
        "comments.tls.certificate", tls.resolve(Certificates.CERTIFICATE_FILE).toString());
    node.setProperty(
        "comments.tls.private-key", tls.resolve(Certificates.PRIVATE_KEY_FILE).toString());
    node.setProperty("comments.tls.trusted-certificates", ca.toString());
    node.setProperty("comments.tls.redirect-http", "false");
    node.setProperty("comments.tls.hsts-max-age", "0s");
    node.setProperty("comments.dns.enabled", "true");
    node.setProperty("comments.dns.host", member.address);
    node.setProperty("comments.dns.port", Integer.toString(dns.port()));
    node.setProperty("comments.dns.ttl", dns.ttl().toMillis() + "ms");
    node.setProperty("comments.dns.database", geoDatabase.toString());
    // Every node of the deployment shares the same keys: tokens made by one verify on all.
    DevSecrets.nodeSettings(secrets, DevNode.TENANT).forEach(node::setProperty);
    Path file = member.dir.resolve(ClusterMember.PROPERTIES);
    try (OutputStream out = Files.newOutputStream(file)) {
      node.store(out, "written by comments cluster at every start; edits are overwritten");
    }
  }

  private void startMember(Member member) throws IOException, InterruptedException {
    launch(member);
    awaitReady(member);
  }

  private void launch(Member member) throws IOException {
    Files.deleteIfExists(member.dir.resolve(ClusterMember.MONGO_FILE));
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xms64m",
            "-Xmx512m",
            "-XX:+UseG1GC",
            "--sun-misc-unsafe-memory-access=allow",
            // The DNS server batches UDP datagrams through the C library (FFM).
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.comments.infra.Launcher",
            "cluster-member",
            "--node-dir",
            member.dir.toString(),
            "--host",
            member.address);
    member.process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(member).toFile()))
            .start();
    log.info("starting {} ({}) as pid {}", member.id, role(member), member.process.pid());
  }

  private void awaitReady(Member member) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + NODE_READY_TIMEOUT.toNanos();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create(httpUrl(member) + "/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    while (true) {
      Process process = member.process;
      if (process == null || !process.isAlive()) {
        throw new IOException(member.id + " exited while starting; see " + logFile(member));
      }
      try {
        if (http.send(ready, BodyHandlers.discarding()).statusCode() == 200) {
          member.mongo =
              Files.readString(
                  member.dir.resolve(ClusterMember.MONGO_FILE), StandardCharsets.UTF_8);
          log.info("{} is ready at {}", member.id, httpUrl(member));
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            member.id + " was not ready within " + NODE_READY_TIMEOUT + "; see " + logFile(member));
      }
      Thread.sleep(200);
    }
  }

  /** Notices nodes that exit, and starts the ones {@code comments cluster start} asks for. */
  private void watchMembersAndRequests() {
    while (!closing) {
      try {
        boolean changed = false;
        for (Member member : members) {
          Process process = member.process;
          if (process != null && !process.isAlive()) {
            member.process = null;
            changed = true;
            log.warn("{} exited with status {}", member.id, process.exitValue());
          }
        }
        for (Member member : members) {
          Path request = dataDir.resolve(CONTROL_DIR).resolve(START_REQUEST + member.id);
          if (Files.exists(request)) {
            if (member.process == null) {
              startMember(member);
              // Before the request goes: `cluster start` reads cluster.json once it is gone.
              writeClusterJson();
            }
            Files.deleteIfExists(request);
          }
        }
        if (changed && !closing) {
          writeClusterJson();
        }
        Thread.sleep(250);
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        log.error("cluster watcher: {}", e.getMessage(), e);
      }
    }
  }

  private synchronized void writeClusterJson() throws IOException {
    List<Map<String, Object>> nodes = new ArrayList<>();
    for (Member member : members) {
      Process process = member.process;
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("id", member.id);
      node.put("region", member.region.name());
      node.put("role", role(member));
      node.put("pid", process == null ? null : process.pid());
      node.put("state", process == null ? "stopped" : "running");
      node.put("address", member.address);
      node.put("http", httpUrl(member));
      node.put("https", httpsUrl(member));
      node.put("dns", member.address + ":" + dns.port());
      node.put("latitude", member.region.latitude());
      node.put("longitude", member.region.longitude());
      node.put("mongo", member.mongo);
      node.put("oneWayLatencyMsToPrimary", member.oneWay.toMillis());
      node.put("log", logFile(member).toString());
      nodes.add(node);
    }
    Map<String, Object> cluster = new LinkedHashMap<>();
    cluster.put("nodes", nodes);
    cluster.put("kafka", broker.bootstrapServers());
    cluster.put("kafkaPid", broker.pid());
    cluster.put("supervisorPid", ProcessHandle.current().pid());
    cluster.put("wan", describeWan());
    cluster.put("dnsTtlMs", dns.ttl().toMillis());
    Path file = dataDir.resolve(CLUSTER_JSON);
    Path temporary = dataDir.resolve(CLUSTER_JSON + ".tmp");
    JSON.writeValue(temporary.toFile(), cluster);
    Files.move(
        temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private String describeWan() {
    return switch (wan) {
      case Wan.Off off -> "off";
      case Wan.ByDistance byDistance -> "delaying proxies, latency by distance";
      case Wan.Fixed fixed -> "delaying proxies, " + fixed.oneWay().toMillis() + " ms one way";
    };
  }

  /** What the operator sees once the cluster is up. */
  public String summary() {
    StringBuilder text = new StringBuilder("\ncomments cluster is up (").append(dataDir);
    text.append("/").append(CLUSTER_JSON).append(")\n");
    for (Member member : members) {
      text.append(
          String.format(
              Locale.ROOT,
              "  %-16s %-8s %-26s dns %-16s one way to the primary: %3d ms%n",
              member.id,
              role(member),
              httpUrl(member),
              member.address + ":" + dns.port(),
              member.oneWay.toMillis()));
    }
    text.append("  kafka: ").append(broker.bootstrapServers()).append(DevNode.ONE_BROKER);
    text.append("\n  WAN: ").append(describeWan());
    text.append("   rate limits: ").append(rateLimits ? "on" : "OFF").append('\n');
    text.append("DNS: dig @127.0.1.1 -p ").append(dns.port()).append(" edge.comments.test\n");
    text.append("TLS: each node also on https://ADDRESS:")
        .append(httpsPort)
        .append(" (HTTP/2), nodes call each other there; CA: ")
        .append(dataDir.resolve(TLS_DIR).resolve(CA_FILE))
        .append('\n');
    text.append("Stop or start one node: infra/bin/comments cluster stop|start NODE");
    text.append(" --data-dir ").append(dataDir).append("\nCtrl-C stops everything.\n");
    return text.toString();
  }

  private String httpUrl(Member member) {
    return "http://" + member.address + ":" + httpPort;
  }

  private String httpsUrl(Member member) {
    return "https://" + member.address + ":" + httpsPort;
  }

  private static String role(Member member) {
    return member.primary ? "primary" : "replica";
  }

  private static Path logFile(Member member) {
    return member.dir.resolve("node.log");
  }

  /** Stops the replicas, then the primary, then the proxies and the broker. */
  @Override
  public void close() {
    closing = true;
    if (watcher != null) {
      watcher.interrupt();
    }
    for (Member member : members.reversed()) {
      stop(member);
    }
    for (AutoCloseable proxy : proxies) {
      try {
        proxy.close();
      } catch (Exception e) {
        log.warn("could not close a proxy", e);
      }
    }
    if (broker != null) {
      broker.close();
    }
    try {
      Files.deleteIfExists(dataDir.resolve(CLUSTER_JSON));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void stop(Member member) {
    Process process = member.process;
    if (process == null) {
      return;
    }
    try {
      // Closing its standard input is what asks a member to stop (see ClusterMember).
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
