package dev.comments.edge.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.EdgeServer;
import dev.comments.edge.NodeRole;
import dev.comments.edge.ReadSide;
import dev.comments.edge.primary.ClusterKey;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.testing.FakeProjectionStatus;
import dev.comments.edge.testing.FixedPositions;
import dev.comments.edge.testing.FreePorts;
import dev.comments.edge.testing.InMemoryIdempotencyKeys;
import dev.comments.edge.testing.InMemoryRevocations;
import dev.comments.edge.testing.QuietFeeds;
import dev.comments.edge.testing.RecordingCommands;
import dev.comments.edge.testing.RecordingQueries;
import dev.comments.edge.testing.TestEdgeSettings;
import dev.comments.edge.testing.TestKeys;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two real edges that heartbeat each other over HTTP with the cluster key. */
class HttpHeartbeatsTest {
  private final List<AutoCloseable> open = new ArrayList<>();
  private final HttpClient client = HttpClient.newHttpClient();

  private record Node(EdgeServer edge, Heartbeats heartbeats, FakeProjectionStatus status) {
    Member sees(String id) {
      return heartbeats.mesh().members().stream()
          .filter(m -> m.id().equals(id))
          .findFirst()
          .orElse(null);
    }
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : open.reversed()) {
      closeable.close();
    }
    client.close();
  }

  @Test
  void two_nodes_learn_each_other_ready_and_a_drain_or_a_stop_reaches_the_peer_at_once()
      throws Exception {
    int portA = FreePorts.next();
    int portB = FreePorts.next();
    Node a = start("node-a", portA, portB);
    Node b = start("node-b", portB, portA);

    await().atMost(Duration.ofSeconds(10)).until(() -> serving(a.sees("node-b")));
    await().atMost(Duration.ofSeconds(10)).until(() -> serving(b.sees("node-a")));

    b.status().caughtUp = false;
    await().atMost(Duration.ofSeconds(5)).until(() -> !a.sees("node-b").ready());
    b.status().caughtUp = true;

    HttpResponse<String> drained = post(portB, MeshHandlers.DRAIN_PATH, true);
    assertThat(drained.statusCode()).isEqualTo(200);
    assertThat(drained.body()).contains("\"told\":[\"node-a\"]");
    // At once: the drain's answer came after the peer took the heartbeat.
    assertThat(a.sees("node-b").state()).isEqualTo(MemberState.DRAINING);

    post(portB, MeshHandlers.UNDRAIN_PATH, true);
    assertThat(a.sees("node-b").serving()).isTrue();

    b.edge().close();
    assertThat(a.sees("node-b").state()).isEqualTo(MemberState.DRAINING);
  }

  @Test
  void each_nodes_readers_see_the_readers_of_both_nodes_until_one_leaves() throws Exception {
    int portA = FreePorts.next();
    int portB = FreePorts.next();
    start("node-a", portA, portB);
    start("node-b", portB, portA);
    Presence onA = new Presence();
    Presence onB = new Presence();
    WebSocket readerA = follow(portA, "article-42", onA);
    WebSocket readerB = follow(portB, "article-42", onB);

    await().atMost(Duration.ofSeconds(10)).until(() -> onA.last().equals("2/1"));
    await().atMost(Duration.ofSeconds(10)).until(() -> onB.last().equals("2/1"));

    readerB.abort();
    await().atMost(Duration.ofSeconds(10)).until(() -> onA.last().equals("1/1"));
    readerA.abort();
  }

  @Test
  void refuses_presence_without_the_cluster_key_and_a_share_with_a_bad_thread() throws Exception {
    int port = FreePorts.next();
    start("node-a", port, FreePorts.next());

    assertThat(post(port, HttpHeartbeats.PRESENCE_PATH, false).statusCode()).isEqualTo(401);
    HttpResponse<String> bad =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + HttpHeartbeats.PRESENCE_PATH))
                .header("Content-Type", "application/json")
                .header(ClusterKey.HEADER, ClusterKey.headerOf(TestKeys.edgeKeys().cluster()))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"node\":\"node-b\",\"incarnation\":1,\"base\":-1,\"version\":0,"
                            + "\"counts\":{\"demo\":{\"a/b\":1}}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("invalid_presence");
  }

  /** The viewers and the local count of the last presence message, as {@code "2/1"}. */
  private static final class Presence implements WebSocket.Listener {
    private volatile String last = "";
    private final StringBuilder partial = new StringBuilder();

    String last() {
      return last;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean whole) {
      partial.append(data);
      if (whole) {
        try {
          JsonNode message = new ObjectMapper().readTree(partial.toString());
          if (message.path("type").asText().equals("presence")) {
            JsonNode payload = message.path("payload");
            last = payload.path("viewers").asInt() + "/" + payload.path("local").asInt();
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }
  }

  private WebSocket follow(int port, String thread, Presence listener) {
    return client
        .newWebSocketBuilder()
        .buildAsync(
            URI.create("ws://127.0.0.1:" + port + "/live/v1/tenants/demo/threads/" + thread),
            listener)
        .join();
  }

  @Test
  void refuses_heartbeats_and_drains_without_the_cluster_key() throws Exception {
    int port = FreePorts.next();
    Node node = start("node-a", port, FreePorts.next());

    assertThat(post(port, HttpHeartbeats.PATH, false).statusCode()).isEqualTo(401);
    assertThat(post(port, MeshHandlers.DRAIN_PATH, false).statusCode()).isEqualTo(401);
    assertThat(node.heartbeats().mesh().draining()).isFalse();
  }

  private static boolean serving(Member member) {
    return member != null && member.serving();
  }

  private Node start(String id, int port, int peerPort) {
    FakeProjectionStatus status = new FakeProjectionStatus();
    KeyRing clusterKeys = TestKeys.edgeKeys().cluster();
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Mesh mesh =
        new Mesh(
            new MeshSettings(
                id,
                "global",
                id,
                50.11,
                8.68,
                List.of(InetAddress.getLoopbackAddress()),
                List.of(URI.create("http://127.0.0.1:" + peerPort)),
                Duration.ofMillis(200),
                Duration.ofSeconds(2),
                0),
            status,
            Clock.systemUTC());
    Heartbeats heartbeats = HttpHeartbeats.start(mesh, clusterKeys, meters);
    open.add(heartbeats);
    InMemoryRevocations revocations = new InMemoryRevocations();
    EdgeServer edge =
        EdgeServer.start(
            TestEdgeSettings.node(id).port(port).bodyTimeout(Duration.ofSeconds(5)).build(),
            new NodeRole.Primary(
                new RecordingCommands(),
                new InMemoryIdempotencyKeys(),
                new FixedPositions(),
                revocations),
            new ReadSide(new RecordingQueries(), new QuietFeeds(), status, revocations),
            Optional.of(heartbeats),
            meters,
            Clock.systemUTC());
    open.add(edge);
    return new Node(edge, heartbeats, status);
  }

  private HttpResponse<String> post(int port, String path, boolean withKey) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"));
    if (withKey) {
      request.header(ClusterKey.HEADER, ClusterKey.headerOf(TestKeys.edgeKeys().cluster()));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
