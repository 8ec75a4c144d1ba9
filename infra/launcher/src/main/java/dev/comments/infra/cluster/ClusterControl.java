package dev.comments.infra.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code comments cluster stop|start NODE}: acts on one node of a running {@link LocalCluster},
 * found through its {@code cluster.json}. Stop sends SIGTERM to the node's process; start asks the
 * cluster's own process to start it again (so that it stays that process's child) and waits until
 * the node is ready.
 */
public final class ClusterControl {
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(200);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dataDir;

  public ClusterControl(Path dataDir) {
    this.dataDir = dataDir.toAbsolutePath();
  }

  public String stop(String nodeId) throws IOException, InterruptedException {
    JsonNode node = node(nodeId);
    if (!node.path("pid").isIntegralNumber()) {
      return nodeId + " is not running";
    }
    long pid = node.path("pid").asLong();
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      return nodeId + " is not running";
    }
    process.get().destroy();
    try {
      process.get().onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new IOException(nodeId + " (pid " + pid + ") did not stop within " + STOP_TIMEOUT);
    }
    return nodeId + " stopped (pid " + pid + ")";
  }

  public String start(String nodeId) throws IOException, InterruptedException {
    node(nodeId);
    Path request =
        dataDir.resolve(LocalCluster.CONTROL_DIR).resolve(LocalCluster.START_REQUEST + nodeId);
    Files.writeString(request, "");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (Files.exists(request)) {
      if (System.nanoTime() > deadline) {
        Files.deleteIfExists(request);
        throw new IOException(nodeId + " did not start within " + START_TIMEOUT);
      }
      supervisor();
      Thread.sleep(200);
    }
    JsonNode node = node(nodeId);
    if (!"running".equals(node.path("state").asText())) {
      throw new IOException(
          nodeId + " could not be started; see " + node.path("log").asText("its node.log"));
    }
    return nodeId + " is running again (pid " + node.path("pid").asLong() + ")";
  }

  JsonNode node(String nodeId) throws IOException {
    JsonNode cluster = supervisor();
    for (JsonNode node : cluster.path("nodes")) {
      if (node.path("id").asText().equals(nodeId)) {
        return node;
      }
    }
    StringBuilder known = new StringBuilder();
    cluster.path("nodes").forEach(n -> known.append(' ').append(n.path("id").asText()));
    throw new IllegalArgumentException("no node " + nodeId + " in this cluster; nodes:" + known);
  }

  /** The cluster description, once it is known that the cluster's own process still runs. */
  JsonNode supervisor() throws IOException {
    Path file = dataDir.resolve(LocalCluster.CLUSTER_JSON);
    if (!Files.exists(file)) {
      throw new IllegalStateException(
          "no cluster runs on " + dataDir + " (no " + LocalCluster.CLUSTER_JSON + ")");
    }
    JsonNode cluster = JSON.readTree(file.toFile());
    long pid = cluster.path("supervisorPid").asLong();
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return cluster;
    }
    throw new IllegalStateException(
        "the cluster on " + dataDir + " is no longer running (pid " + pid + " is gone)");
  }
}
