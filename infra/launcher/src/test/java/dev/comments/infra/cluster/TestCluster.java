package dev.comments.infra.cluster;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.infra.FreePorts;
import dev.comments.infra.kafka.KafkaBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code comments cluster} as an operator runs it: the supervisor in its own JVM, every node in its
 * own process, found through {@code cluster.json}.
 */
final class TestCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path dataDir;
  private final Process supervisor;
  private final Path log;
  private final List<Long> pids = new ArrayList<>();

  private TestCluster(Path dataDir, Process supervisor, Path log) {
    this.dataDir = dataDir;
    this.supervisor = supervisor;
    this.log = log;
  }

  /** Starts the regions (the first is the primary's) and waits for cluster.json. */
  static TestCluster start(String regions, String wan) throws IOException {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "cluster-it-").toAbsolutePath();
    Path log = dataDir.resolve("supervisor.log");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.comments.infra.Launcher",
            "cluster",
            "--regions",
            regions,
            "--data-dir",
            dataDir.toString(),
            "--http-port",
            Integer.toString(freePort()),
            "--https-port",
            Integer.toString(freePort()),
            "--wan",
            wan,
            // Never the default 5353: someone's own cluster may hold it.
            "--dns-port",
            Integer.toString(FreePorts.forDns()),
            // Tests write from one address faster than the limits allow.
            "--rate-limits",
            "off");
    Process supervisor =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    TestCluster cluster = new TestCluster(dataDir, supervisor, log);
    Path clusterJson = dataDir.resolve(LocalCluster.CLUSTER_JSON);
    await("cluster.json")
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              if (!supervisor.isAlive()) {
                throw new AssertionError("the cluster exited:\n" + Files.readString(log));
              }
              return Files.exists(clusterJson);
            });
    cluster.nodes().forEach(node -> cluster.pids.add(node.path("pid").asLong()));
    return cluster;
  }

  /** The nodes of cluster.json, as it says now. */
  List<JsonNode> nodes() throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    JSON.readTree(dataDir.resolve(LocalCluster.CLUSTER_JSON).toFile())
        .path("nodes")
        .forEach(nodes::add);
    return nodes;
  }

  JsonNode node(String id) throws IOException {
    for (JsonNode node : nodes()) {
      if (node.path("id").asText().equals(id)) {
        return node;
      }
    }
    throw new AssertionError("no node " + id + " in cluster.json");
  }

  JsonNode inRegion(String region) throws IOException {
    for (JsonNode node : nodes()) {
      if (node.path("region").asText().equals(region)) {
        return node;
      }
    }
    throw new AssertionError("no node in region " + region + " in cluster.json");
  }

  JsonNode json() throws IOException {
    return JSON.readTree(dataDir.resolve(LocalCluster.CLUSTER_JSON).toFile());
  }

  /** SIGTERM to the supervisor, which stops every node; then every node's pid is gone. */
  @Override
  public void close() throws Exception {
    supervisor.destroy();
    if (!supervisor.waitFor(90, TimeUnit.SECONDS)) {
      supervisor.destroyForcibly();
    }
    for (long pid : pids) {
      await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).isEmpty());
    }
  }

  private static int freePort() throws IOException {
    return KafkaBroker.freePort(InetAddress.getByName("127.0.1.1"));
  }
}
