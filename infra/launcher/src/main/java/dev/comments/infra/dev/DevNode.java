package dev.comments.infra.dev;

import dev.comments.edge.EdgeServer;
import dev.comments.edge.tls.Certificates;
import dev.comments.edge.tls.NodeTls;
import dev.comments.geodns.GeoDnsServer;
import dev.comments.infra.dns.DevGeoDatabase;
import dev.comments.infra.kafka.KafkaBroker;
import dev.comments.infra.node.NodeApplication;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One node on the embedded default: a real Kafka broker in a child process and the MongoDB-wire
 * server in this JVM, both keeping their data under one directory, so that a node started again on
 * it has every comment. Tenant {@code demo} exists.
 */
public final class DevNode implements AutoCloseable {
  public static final String TENANT = "demo";

  /** The id of the dev node: its projections live in the query database named after it. */
  public static final String NODE_ID = "dev-1";

  /**
   * The origins whose pages may embed the widget for tenant {@code demo}: a page served from this
   * machine on any port. {@code comments dev --allow-origin} adds more.
   */
  public static final List<String> DEMO_ORIGINS =
      List.of(
          "http://localhost:*", "http://127.0.0.1:*", "https://localhost:*", "https://127.0.0.1:*");

  /** Said beside the broker's address: the embedded log is not a durable one. */
  public static final String ONE_BROKER =
      "  (one Kafka broker: a single copy of the event log, for development only)";

  /** The directory under the data directory that keeps the dev node's certificate and key. */
  public static final String TLS_DIR = "tls";

  private final Path dataDir;
  private final EmbeddedMongo mongo;
  private final KafkaBroker broker;
  private final ConfigurableApplicationContext context;
  private final String adminKey;

  private DevNode(
      Path dataDir,
      EmbeddedMongo mongo,
      KafkaBroker broker,
      ConfigurableApplicationContext context,
      String adminKey) {
    this.dataDir = dataDir;
    this.mongo = mongo;
    this.broker = broker;
    this.context = context;
    this.adminKey = adminKey;
  }

  /**
   * Starts everything and returns when the node takes requests.
   *
   * @param settings extra {@code --comments.SETTING=VALUE} arguments, which win over the defaults
   */
  public static DevNode start(Path dataDir, int httpPort, String... settings) throws IOException {
    return start(dataDir, httpPort, -1, settings);
  }

  /**
   * The same, with the DNS server embedded on {@code dnsPort} of 127.0.0.1 (0: any free port; -1:
   * none), answering {@code edge.comments.test.} with this node, the only one, while it is ready.
   */
  public static DevNode start(Path dataDir, int httpPort, int dnsPort, String... settings)
      throws IOException {
    return start(dataDir, httpPort, -1, dnsPort, settings);
  }

  /**
   * The same, with an HTTPS listener (HTTP/2 and HTTP/1.1) on {@code httpsPort} of 127.0.0.1 (0:
   * any free port; -1: none) beside plain HTTP, with a self-signed certificate for {@code
   * localhost}, 127.0.0.1 and ::1, made on first start and kept under {@code dataDir/tls}.
   */
  public static DevNode start(
      Path dataDir, int httpPort, int httpsPort, int dnsPort, String... settings)
      throws IOException {
    Path dir = Files.createDirectories(dataDir.toAbsolutePath());
    Map<String, Object> tls = new HashMap<>();
    if (httpsPort >= 0) {
      Path tlsDir = dir.resolve(TLS_DIR);
      Certificates.selfSignedIn(
          tlsDir,
          List.of("localhost"),
          List.of(InetAddress.ofLiteral("127.0.0.1"), InetAddress.ofLiteral("::1")));
      Path certificate = tlsDir.resolve(Certificates.CERTIFICATE_FILE);
      tls.put("comments.tls.enabled", true);
      tls.put("comments.tls.port", httpsPort);
      tls.put("comments.tls.certificate", certificate.toString());
      tls.put("comments.tls.private-key", tlsDir.resolve(Certificates.PRIVATE_KEY_FILE).toString());
      // A dev node trusts its own certificate, and keeps plain HTTP for local tools: no redirect,
      // and no HSTS (which would make browsers refuse plain HTTP on localhost for a year).
      tls.put("comments.tls.trusted-certificates", certificate.toString());
      tls.put("comments.tls.redirect-http", false);
      tls.put("comments.tls.hsts-max-age", "0s");
    }
    Properties secrets = DevSecrets.load(dir.resolve("secrets.properties"));
    EmbeddedMongo mongo = EmbeddedMongo.start(dir.resolve("mongo"));
    KafkaBroker broker = null;
    try {
      broker = KafkaBroker.start(dir.resolve("kafka"));
      Map<String, Object> properties = new HashMap<>();
      properties.put("comments.node.id", NODE_ID);
      properties.put("comments.node.region", "local");
      properties.put("comments.http.port", httpPort);
      properties.put("comments.cdn.cache-dir", dir.resolve("cdn").toString());
      if (dnsPort >= 0) {
        properties.put("comments.dns.enabled", true);
        properties.put("comments.dns.port", dnsPort);
        properties.put(
            "comments.dns.database", DevGeoDatabase.writeInto(dir.resolve("geoip")).toString());
      }
      properties.put("comments.mongo.uri", mongo.connectionString());
      // The embedded store keeps a prefix of its writes: a hot thread's appends can be pipelined.
      properties.put("comments.event-store.pipelined-appends", true);
      properties.put("comments.kafka.bootstrap-servers", broker.bootstrapServers());
      // The dev broker is one node: one copy of the log (it says so in its log).
      properties.put("comments.kafka.replication-factor", 1);
      properties.putAll(DevSecrets.nodeSettings(secrets, TENANT));
      properties.put(
          "comments.tenants." + TENANT + ".allowed-origins", String.join(",", DEMO_ORIGINS));
      properties.putAll(tls);
      ConfigurableApplicationContext context = NodeApplication.run(properties, settings);
      return new DevNode(dir, mongo, broker, context, secrets.getProperty(DevSecrets.ADMIN));
    } catch (IOException | RuntimeException e) {
      if (broker != null) {
        broker.close();
      }
      mongo.close();
      throw e;
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + context.getBean(EdgeServer.class).port();
  }

  /** The HTTPS address, when the node has an HTTPS listener. */
  public Optional<String> httpsUrl() {
    EdgeServer edge = context.getBean(EdgeServer.class);
    return edge.httpsPort().isPresent()
        ? Optional.of("https://127.0.0.1:" + edge.httpsPort().getAsInt())
        : Optional.empty();
  }

  /** The SHA-256 fingerprint of the certificate the HTTPS listener presents. */
  public Optional<String> fingerprint() {
    return context.getBean(EdgeServer.class).tls().map(NodeTls::fingerprint);
  }

  private String https() {
    return httpsUrl()
        .map(
            url ->
                "  https: "
                    + url
                    + "  (HTTP/2; self-signed: curl --cacert "
                    + dataDir.resolve(TLS_DIR).resolve(Certificates.CERTIFICATE_FILE)
                    + ")\n         SHA-256 "
                    + fingerprint().orElseThrow())
        .orElse("  https: off");
  }

  /** The embedded broker, for a replica a test starts beside this node. */
  public String kafkaBootstrapServers() {
    return broker.bootstrapServers();
  }

  /** The embedded DNS server's port, if it runs. */
  public OptionalInt dnsPort() {
    GeoDnsServer dns = context.getBeanProvider(GeoDnsServer.class).getIfAvailable();
    return dns == null ? OptionalInt.empty() : OptionalInt.of(dns.port());
  }

  private String dns() {
    OptionalInt port = dnsPort();
    if (port.isEmpty()) {
      return "  dns:   off";
    }
    return "  dns:   127.0.0.1 port "
        + port.getAsInt()
        + ", zone comments.test.  (dig @127.0.0.1 -p "
        + port.getAsInt()
        + " edge.comments.test)";
  }

  /** Tenant {@code demo}'s admin key: it appoints moderators (and may moderate). */
  public String adminKey() {
    return adminKey;
  }

  public String banner() {
    String url = baseUrl();
    return String.join(
        "\n",
        "",
        "comments dev node is up at " + url,
        "  demo:  " + url + "/  (an article with the widget on it)",
        https(),
        "  data:  " + dataDir + "  (delete it to start afresh)",
        "  kafka: " + broker.bootstrapServers() + ONE_BROKER,
        "  mongo: " + mongo.connectionString(),
        dns(),
        "  tenant '" + TENANT + "', admin key: " + adminKey + "  (appoints moderators)",
        "",
        "Try it:",
        "  TOKEN=$(curl -s -X POST " + url + "/api/v1/tenants/demo/sessions \\",
        "      -H 'Content-Type: application/json' -d '{\"displayName\":\"Ada\"}' \\",
        "      | sed -E 's/.*\"sessionToken\":\"([^\"]+)\".*/\\1/')",
        "  curl -s -X POST " + url + "/api/v1/tenants/demo/threads/hello/comments \\",
        "      -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\",
        "      -d '{\"text\":\"Hello, world\"}'",
        "  curl -s " + url + "/api/v1/tenants/demo/threads/hello/comments",
        "",
        "Ctrl-C stops the node, the broker and the store.",
        "");
  }

  /** Stops the node first, then the log and the store it was writing to. */
  @Override
  public void close() {
    try {
      context.close();
    } finally {
      try {
        broker.close();
      } finally {
        mongo.close();
      }
    }
  }
}
