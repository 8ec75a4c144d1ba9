package dev.comments.infra.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.mesh.MeshHandlers;
import dev.comments.edge.primary.ClusterKey;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import dev.comments.infra.ApiClient;
import dev.comments.infra.FreePorts;
import dev.comments.infra.dev.DevSecrets;
import dev.comments.infra.kafka.KafkaBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The node mesh and its DNS as a user runs them: {@code comments cluster} with a primary in us-west
 * and replicas in eu-central and ap-southeast, each node its own process with its own DNS server on
 * its own address, queried over real UDP and TCP with dnsjava. The tests drain, stop, restart and
 * kill nodes, so they run in order; the kill comes last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = "demo";
  private static final Name SERVICE = Name.fromConstantString("edge.comments.test.");

  /** MaxMind test database networks: London, near Seattle, Changchun. */
  private static final String LONDON = "81.2.69.142";

  private static final String WASHINGTON = "216.160.83.56";
  private static final String CHANGCHUN = "175.16.199.0";

  private static final String US_WEST = "us-west-1";
  private static final String EU_CENTRAL = "eu-central-1";
  private static final String AP_SOUTHEAST = "ap-southeast-1";

  /** The cluster's mesh default: a peer silent this long is down. */
  private static final Duration DOWN_AFTER = Duration.ofSeconds(5);

  private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  private static final int DNS_TTL_SECONDS = 2;

  private static Process supervisor;
  private static Path dataDir;
  private static Path supervisorLog;
  private static int httpPort;
  private static int dnsPort;
  private static Map<String, JsonNode> nodes;
  private static String clusterKey;
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void startCluster() throws Exception {
    dataDir = Files.createTempDirectory(Path.of("target"), "mesh-it-").toAbsolutePath();
    supervisorLog = dataDir.resolve("supervisor.log");
    httpPort = freePort();
    dnsPort = FreePorts.forDns();
    supervisor =
        new ProcessBuilder(
                launcher(
                    "cluster",
                    "--regions",
                    "us-west,eu-central,ap-southeast",
                    "--data-dir",
                    dataDir.toString(),
                    "--http-port",
                    Integer.toString(httpPort),
                    "--dns-port",
                    Integer.toString(dnsPort),
                    "--dns-ttl",
                    Integer.toString(DNS_TTL_SECONDS),
                    "--wan",
                    "5ms",
                    "--rate-limits",
                    "off"))
            .redirectErrorStream(true)
            .redirectOutput(supervisorLog.toFile())
            .start();
    Path clusterJson = dataDir.resolve(LocalCluster.CLUSTER_JSON);
    await("cluster.json")
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              if (!supervisor.isAlive()) {
                throw new AssertionError("the cluster exited:\n" + Files.readString(supervisorLog));
              }
              return Files.exists(clusterJson);
            });
    nodes = readNodes();
    assertThat(nodes.keySet()).containsExactlyInAnyOrder(US_WEST, EU_CENTRAL, AP_SOUTHEAST);
    assertThat(nodes.get(EU_CENTRAL).path("dns").asText()).isEqualTo("127.0.1.2:" + dnsPort);
    String secret =
        DevSecrets.load(dataDir.resolve("secrets.properties")).getProperty(DevSecrets.CLUSTER);
    clusterKey =
        ClusterKey.headerOf(
            KeyRing.of(new SigningKey(DevSecrets.KEY_ID, Base64.getDecoder().decode(secret))));
    // The thread the load reads during the rollout.
    ApiClient primary = new ApiClient(nodes.get(US_WEST).path("http").asText());
    String session = primary.session(TENANT, "Ops");
    assertThat(primary.post(TENANT, "rollout", session, "hello", null).status()).isEqualTo(201);
    // Every node has heard every other one.
    await("the mesh has formed")
        .atMost(Duration.ofSeconds(30))
        .until(() -> everyDnsAnswers(LONDON, "127.0.1.2"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (supervisor != null) {
      supervisor.destroy();
      if (!supervisor.waitFor(90, TimeUnit.SECONDS)) {
        supervisor.destroyForcibly();
      }
    }
  }

  @Test
  @Order(1)
  void every_nodes_dns_sends_each_client_to_its_nearest_node_over_udp_and_tcp() throws Exception {
    for (JsonNode node : nodes.values()) {
      String dns = node.path("dns").asText();
      for (boolean tcp : List.of(false, true)) {
        assertThat(answer(dns, LONDON, tcp)).as("London via %s", dns).isEqualTo("127.0.1.2");
        assertThat(answer(dns, WASHINGTON, tcp))
            .as("Washington via %s", dns)
            .isEqualTo("127.0.1.1");
        assertThat(answer(dns, CHANGCHUN, tcp)).as("Changchun via %s", dns).isEqualTo("127.0.1.3");
      }
    }
  }

  @Test
  @Order(2)
  void a_drained_node_leaves_every_nodes_answers_at_once_and_keeps_serving_until_undrained()
      throws Exception {
    String said = run("drain", EU_CENTRAL, "--data-dir", dataDir.toString());
    assertThat(said).contains(EU_CENTRAL + " is draining");

    // At once: no waiting for a heartbeat interval.
    for (JsonNode node : nodes.values()) {
      assertThat(answer(node.path("dns").asText(), LONDON, false))
          .as("London via %s", node.path("id").asText())
          .isEqualTo("127.0.1.1");
    }
    ApiClient eu = new ApiClient(nodes.get(EU_CENTRAL).path("http").asText());
    assertThat(eu.thread(TENANT, "rollout", "readPreference=nearest", null).status())
        .isEqualTo(200);

    run("undrain", EU_CENTRAL, "--data-dir", dataDir.toString());
    assertThat(everyDnsAnswers(LONDON, "127.0.1.2")).isTrue();
  }

  @Test
  @Order(3)
  void a_node_whose_projection_falls_behind_the_log_leaves_the_answers_until_it_catches_up()
      throws Exception {
    // The replicas read the log through the cluster process's WAN proxies: freezing that process
    // cuts them off from Kafka while the primary, which reads it directly, stays current. The
    // heartbeats go straight between the nodes, so every node still hears the others.
    signal("STOP", supervisor.pid());
    try {
      await("eu-central leaves the answers once its lag passes 30 s")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> everyDnsAnswers(LONDON, "127.0.1.1"));
      JsonNode seen = member(view(US_WEST), EU_CENTRAL);
      assertThat(seen.path("state").asText()).isEqualTo("UP");
      assertThat(seen.path("ready").asBoolean()).isFalse();
      assertThat(seen.path("lagMs").asLong()).isGreaterThan(30_000);
    } finally {
      signal("CONT", supervisor.pid());
    }
    await("eu-central is back once it has caught up")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> everyDnsAnswers(LONDON, "127.0.1.2"));
  }

  @Test
  @Order(4)
  void a_rollout_under_load_restarts_every_node_without_one_failed_request() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<LoadClient> clients = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (String where : List.of(LONDON, WASHINGTON, CHANGCHUN)) {
      LoadClient client = new LoadClient(where, stop);
      clients.add(client);
      threads.add(Thread.ofPlatform().name("load-" + where).start(client));
    }
    String said;
    try {
      Thread.sleep(2_000);
      said = run("rollout", "--data-dir", dataDir.toString(), "--grace", "1");
    } finally {
      stop.set(true);
      for (Thread thread : threads) {
        thread.join(30_000);
      }
    }
    assertThat(said).contains("rollout done");
    Map<String, JsonNode> after = readNodes();
    for (String id : List.of(US_WEST, EU_CENTRAL, AP_SOUTHEAST)) {
      assertThat(after.get(id).path("pid").asLong())
          .as("%s was restarted", id)
          .isNotEqualTo(nodes.get(id).path("pid").asLong());
    }
    nodes = after;
    long requests = 0;
    for (LoadClient client : clients) {
      System.out.printf(
          "rollout load from %s: %d requests, %d failed, served by %s%n",
          client.where, client.requests.get(), client.failures.get(), client.servedBy);
      assertThat(client.failures.get()).as("failed: %s", client.lastFailure).isZero();
      requests += client.requests.get();
    }
    // The load went on throughout, and it moved: London was served by more than eu-central.
    assertThat(requests).isGreaterThan(300);
    assertThat(clients.getFirst().servedBy.keySet()).contains(EU_CENTRAL).hasSizeGreaterThan(1);
  }

  @Test
  @Order(5)
  void when_eu_central_dies_eu_clients_get_the_next_nearest_node_within_the_heartbeat_timeout()
      throws Exception {
    assertThat(everyDnsAnswers(LONDON, "127.0.1.2")).isTrue();
    long killedAt = System.nanoTime();
    signal("KILL", nodes.get(EU_CENTRAL).path("pid").asLong());
    while (!survivorsAnswer(LONDON, "127.0.1.1")) {
      assertThat(Duration.ofNanos(System.nanoTime() - killedAt))
          .isLessThan(DOWN_AFTER.plus(HEARTBEAT_INTERVAL).plusMillis(500));
      Thread.sleep(50);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
    System.out.printf(
        "failover: EU clients sent to us-west %d ms after the kill%n", took.toMillis());
    // Not before the timeout either: one missed heartbeat must not take a node out.
    assertThat(took).isGreaterThan(DOWN_AFTER.minus(HEARTBEAT_INTERVAL).minusMillis(500));
    assertThat(member(view(US_WEST), EU_CENTRAL).path("state").asText()).isEqualTo("DOWN");
  }

  /** A client that keeps resolving (honouring the TTL) and reading, counting every failure. */
  private static final class LoadClient implements Runnable {
    final String where;
    final AtomicBoolean stop;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final Map<String, Integer> servedBy = new ConcurrentHashMap<>();
    volatile String lastFailure = "";

    LoadClient(String where, AtomicBoolean stop) {
      this.where = where;
      this.stop = stop;
    }

    @Override
    public void run() {
      String address = null;
      long expires = 0;
      while (!stop.get()) {
        try {
          if (address == null || System.nanoTime() > expires) {
            Message response = resolver(where).send(query());
            Record a = response.getSection(Section.ANSWER).getFirst();
            address = ((ARecord) a).getAddress().getHostAddress();
            expires = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.getTTL());
          }
          var page =
              http.send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://"
                                  + address
                                  + ":"
                                  + httpPort
                                  + "/api/v1/tenants/demo/threads/rollout/comments"
                                  + "?readPreference=nearest"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  BodyHandlers.discarding());
          requests.incrementAndGet();
          if (page.statusCode() != 200) {
            throw new IOException(address + " answered " + page.statusCode());
          }
          String served = page.headers().firstValue("X-Served-By").orElse("?");
          servedBy.merge(served, 1, Integer::sum);
          Thread.sleep(20);
        } catch (Exception e) {
          failures.incrementAndGet();
          lastFailure = e.toString();
          address = null;
        }
      }
    }
  }

  /** A stub resolver that knows every node's DNS server, as a client's resolver would. */
  private static Resolver resolver(String client) throws IOException {
    List<Resolver> servers = new ArrayList<>();
    for (String address : List.of("127.0.1.1", "127.0.1.2", "127.0.1.3")) {
      SimpleResolver server = new SimpleResolver(InetAddress.ofLiteral(address));
      server.setPort(dnsPort);
      // A server that does not answer within a second is passed over for the next, as a stub
      // resolver with several name servers does; a node restarting has no DNS server for a while.
      server.setTimeout(Duration.ofSeconds(1));
      servers.add(server);
    }
    ExtendedResolver resolver = new ExtendedResolver(servers);
    resolver.setTimeout(Duration.ofSeconds(10));
    resolver.setRetries(3);
    resolver.setEDNS(0, 1232, 0, List.of(ecs(client)));
    return resolver;
  }

  private static ClientSubnetOption ecs(String client) {
    return new ClientSubnetOption(32, InetAddress.ofLiteral(client));
  }

  private static Message query() {
    return Message.newQuery(Record.newRecord(SERVICE, Type.A, 1));
  }

  /** The one address {@code dns} answers for a client at {@code client}. */
  private static String answer(String dns, String client, boolean tcp) throws IOException {
    int colon = dns.lastIndexOf(':');
    SimpleResolver resolver = new SimpleResolver(InetAddress.ofLiteral(dns.substring(0, colon)));
    resolver.setPort(Integer.parseInt(dns.substring(colon + 1)));
    resolver.setTCP(tcp);
    resolver.setTimeout(Duration.ofSeconds(2));
    resolver.setEDNS(0, 1232, 0, List.of(ecs(client)));
    Message response = resolver.send(query());
    assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    List<Record> records = response.getSection(Section.ANSWER);
    assertThat(records).hasSize(1);
    return ((ARecord) records.getFirst()).getAddress().getHostAddress();
  }

  private static boolean everyDnsAnswers(String client, String expected) throws IOException {
    for (JsonNode node : nodes.values()) {
      if (!answer(node.path("dns").asText(), client, false).equals(expected)) {
        return false;
      }
    }
    return true;
  }

  private static boolean survivorsAnswer(String client, String expected) throws IOException {
    for (String id : List.of(US_WEST, AP_SOUTHEAST)) {
      if (!answer(nodes.get(id).path("dns").asText(), client, false).equals(expected)) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode view(String nodeId) throws Exception {
    var response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(nodes.get(nodeId).path("http").asText() + MeshHandlers.VIEW_PATH))
                .header(ClusterKey.HEADER, clusterKey)
                .build(),
            BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static JsonNode member(JsonNode view, String id) {
    for (JsonNode member : view.path("members")) {
      if (member.path("id").asText().equals(id)) {
        return member;
      }
    }
    throw new AssertionError("no " + id + " in " + view);
  }

  private static Map<String, JsonNode> readNodes() throws IOException {
    Map<String, JsonNode> byId = new java.util.LinkedHashMap<>();
    for (JsonNode node :
        JSON.readTree(dataDir.resolve(LocalCluster.CLUSTER_JSON).toFile()).path("nodes")) {
      byId.put(node.path("id").asText(), node);
    }
    return byId;
  }

  /** Runs an operator's verb of {@code comments} to its end; its output. */
  private static String run(String... args) throws Exception {
    Path log = Files.createTempFile(dataDir, "command-", ".log");
    Process process =
        new ProcessBuilder(launcher(args))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("comments " + String.join(" ", args) + " did not end");
    }
    String output = Files.readString(log);
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  private static List<String> launcher(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.comments.infra.Launcher"));
    command.addAll(List.of(args));
    return command;
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
    assertThat(kill.waitFor()).isZero();
  }

  private static int freePort() throws IOException {
    return KafkaBroker.freePort(InetAddress.getByName("127.0.1.1"));
  }
}
