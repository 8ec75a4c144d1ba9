package dev.comments.infra.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.comments.infra.ApiClient;
import dev.comments.infra.LiveClient;
import dev.comments.infra.LiveClient.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live threads across regions on a local cluster (three node processes, a real broker, delayed
 * links): each node feeds its own readers from its own projection, whichever node took the write.
 */
class LiveClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestCluster cluster;
  private static ApiClient usWest;
  private static ApiClient euCentral;
  private static ApiClient apSoutheast;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start("us-west,eu-central,ap-southeast", "20ms");
    usWest = new ApiClient(cluster.inRegion("us-west").path("http").asText());
    euCentral = new ApiClient(cluster.inRegion("eu-central").path("http").asText());
    apSoutheast = new ApiClient(cluster.inRegion("ap-southeast").path("http").asText());
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void a_reader_in_eu_central_sees_comments_written_through_the_other_regions() {
    String ada = usWest.session("demo", "Ada");
    String kim = apSoutheast.session("demo", "Kim");
    try (Socket reader = socket(euCentral, "world", null);
        LiveClient.Stream stream = stream(apSoutheast, "world", null)) {
      reader.next("subscribed", WAIT);
      stream.next("subscribed", WAIT);
      assertThat(usWest.post("demo", "world", ada, "from Oregon", null).status()).isEqualTo(201);
      assertThat(apSoutheast.post("demo", "world", kim, "from Singapore", null).status())
          .isEqualTo(201);
      for (LiveClient.Reader each : List.<LiveClient.Reader>of(reader, stream)) {
        JsonNode first = each.next("comment-posted", WAIT);
        JsonNode second = each.next("comment-posted", WAIT);
        assertThat(List.of(first, second))
            .extracting(m -> m.get("payload").get("text").asText())
            .containsExactly("from Oregon", "from Singapore");
        assertThat(List.of(first, second))
            .extracting(m -> m.get("position").asLong())
            .containsExactly(0L, 1L);
      }
    }
  }

  @Test
  void readers_of_a_restarted_replica_resume_from_their_last_position_without_a_gap()
      throws Exception {
    String replicaId = cluster.inRegion("eu-central").path("id").asText();
    String ada = usWest.session("demo", "Ada");
    usWest.post("demo", "restart", ada, "before 0", null);
    long last;
    try (Socket reader = socket(euCentral, "restart", "-1")) {
      // Replayed before "subscribed", or live after it if the replica had not applied it yet.
      last =
          posted(reader.waitFor(got -> posted(got).size() == 1, WAIT))
              .getFirst()
              .get("position")
              .asLong();
    }
    ClusterControl control = new ClusterControl(cluster.dataDir);
    System.out.println(control.stop(replicaId));
    for (int i = 1; i <= 3; i++) {
      usWest.post("demo", "restart", ada, "while down " + i, null);
    }
    System.out.println(control.start(replicaId));
    try (Socket reader = socket(euCentral, "restart", Long.toString(last))) {
      usWest.post("demo", "restart", ada, "after", null);
      List<JsonNode> got =
          reader.waitFor(
              messages ->
                  messages.stream()
                          .filter(m -> m.get("type").asText().equals("comment-posted"))
                          .count()
                      == 4,
              WAIT);
      List<JsonNode> posted =
          got.stream().filter(m -> m.get("type").asText().equals("comment-posted")).toList();
      assertThat(posted)
          .extracting(m -> m.get("position").asLong())
          .containsExactly(1L, 2L, 3L, 4L);
      assertThat(got).noneMatch(m -> m.get("type").asText().equals("resync"));
    }
  }

  private static List<JsonNode> posted(List<JsonNode> messages) {
    return messages.stream().filter(m -> m.get("type").asText().equals("comment-posted")).toList();
  }

  private static Socket socket(ApiClient node, String thread, String since) {
    String url =
        node.baseUrl().replace("http://", "ws://")
            + "/live/v1/tenants/demo/threads/"
            + thread
            + (since == null ? "" : "?since=" + since);
    return Socket.open(node.http(), URI.create(url));
  }

  private static LiveClient.Stream stream(ApiClient node, String thread, String lastEventId) {
    return LiveClient.Stream.open(
        node.http(),
        URI.create(node.baseUrl() + "/stream/v1/tenants/demo/threads/" + thread),
        lastEventId,
        null);
  }
}
