package dev.comments.infra.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.mesh.MeshHandlers;
import dev.comments.edge.primary.ClusterKey;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import dev.comments.infra.dev.DevSecrets;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * {@code comments drain|undrain NODE} and {@code comments rollout} on a running {@link
 * LocalCluster}. Drain asks the node to take itself out of DNS, which it tells every peer before
 * answering; a rollout restarts the nodes one at a time, each drained first and back in DNS before
 * the next one goes.
 */
public final class Rollout {
  static final Duration BACK_IN_DNS_TIMEOUT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Name ZONE = Name.fromConstantString("comments.test.");

  private final Path dataDir;
  private final ClusterControl control;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String clusterKey;
  private final PrintStream out;

  public Rollout(Path dataDir, PrintStream out) throws IOException {
    this.dataDir = dataDir.toAbsolutePath();
    this.control = new ClusterControl(dataDir);
    String secret =
        DevSecrets.load(this.dataDir.resolve("secrets.properties")).getProperty(DevSecrets.CLUSTER);
    this.clusterKey =
        ClusterKey.headerOf(
            KeyRing.of(new SigningKey(DevSecrets.KEY_ID, Base64.getDecoder().decode(secret))));
    this.out = out;
  }

  /**
   * Takes the node out of DNS answers on every node: when this returns, every peer that answered
   * has the node as draining. The node keeps serving the connections it has.
   */
  public String drain(String nodeId, boolean drain) throws IOException, InterruptedException {
    JsonNode node = control.node(nodeId);
    String path = drain ? MeshHandlers.DRAIN_PATH : MeshHandlers.UNDRAIN_PATH;
    var response =
        http.send(
            HttpRequest.newBuilder(URI.create(node.path("http").asText() + path))
                .header(ClusterKey.HEADER, clusterKey)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(nodeId + " answered " + response.statusCode() + ": " + response.body());
    }
    JsonNode answer = JSON.readTree(response.body());
    String text =
        nodeId
            + " is "
            + answer.path("state").asText().toLowerCase(Locale.ROOT)
            + "; told "
            + answer.path("told");
    if (!answer.path("unreachable").isEmpty()) {
      text +=
          "; unreachable (they will hear it with the next heartbeat): "
              + answer.path("unreachable");
    }
    return text;
  }

  /**
   * Restarts every node in turn, the replicas first and the primary last: drain, wait for the TTL
   * and {@code grace} (resolvers that cached the node's address must have asked again), stop,
   * start, wait until it is ready and every node's DNS answers with it again.
   */
  public void rollout(Duration grace) throws IOException, InterruptedException {
    JsonNode cluster = control.supervisor();
    Duration ttl = Duration.ofMillis(cluster.path("dnsTtlMs").asLong(30_000));
    List<String> order = new ArrayList<>();
    List<String> primaries = new ArrayList<>();
    for (JsonNode node : cluster.path("nodes")) {
      (node.path("role").asText().equals("primary") ? primaries : order)
          .add(node.path("id").asText());
    }
    order.addAll(primaries);
    for (String id : order) {
      out.println(drain(id, true));
      Duration wait = ttl.plus(grace);
      out.println("waiting " + wait.toMillis() + " ms (TTL + grace) before stopping " + id);
      Thread.sleep(wait.toMillis());
      out.println(control.stop(id));
      out.println(control.start(id));
      awaitBackInDns(id);
      out.println(id + " is ready and back in every node's DNS");
    }
    out.println("rollout done: " + order);
  }

  /** Every running node's map has the node serving again, and its own DNS server answers. */
  void awaitBackInDns(String nodeId) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + BACK_IN_DNS_TIMEOUT.toNanos();
    while (!backInDns(nodeId)) {
      if (System.nanoTime() > deadline) {
        throw new IOException(nodeId + " was not back in DNS within " + BACK_IN_DNS_TIMEOUT);
      }
      Thread.sleep(200);
    }
  }

  private boolean backInDns(String nodeId) throws IOException, InterruptedException {
    for (JsonNode node : control.supervisor().path("nodes")) {
      if (!"running".equals(node.path("state").asText())) {
        continue;
      }
      try {
        var response =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(node.path("http").asText() + MeshHandlers.VIEW_PATH))
                    .header(ClusterKey.HEADER, clusterKey)
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                BodyHandlers.ofString());
        if (response.statusCode() != 200 || !serves(JSON.readTree(response.body()), nodeId)) {
          return false;
        }
        if (node.path("id").asText().equals(nodeId) && !dnsAnswers(node.path("dns").asText())) {
          return false;
        }
      } catch (IOException notYet) {
        return false;
      }
    }
    return true;
  }

  private static boolean serves(JsonNode view, String nodeId) {
    for (JsonNode member : view.path("members")) {
      if (member.path("id").asText().equals(nodeId)) {
        return member.path("serving").asBoolean();
      }
    }
    return false;
  }

  /** The node's own DNS server answers for the zone. */
  private static boolean dnsAnswers(String hostPort) {
    try {
      int colon = hostPort.lastIndexOf(':');
      SimpleResolver resolver =
          new SimpleResolver(InetAddress.ofLiteral(hostPort.substring(0, colon)));
      resolver.setPort(Integer.parseInt(hostPort.substring(colon + 1)));
      resolver.setTimeout(Duration.ofSeconds(1));
      Message answer = resolver.send(Message.newQuery(Record.newRecord(ZONE, Type.SOA, 1)));
      return answer.getRcode() == Rcode.NOERROR;
    } catch (IOException e) {
      return false;
    }
  }
}
