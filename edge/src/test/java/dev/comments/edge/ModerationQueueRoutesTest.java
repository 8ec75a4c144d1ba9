package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.testing.PrimaryEdge;
import dev.comments.events.Author;
import dev.comments.events.CommentStatus;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentMedia;
import dev.comments.events.query.CommentView;
import dev.comments.query.ModerationQueue;
import dev.comments.query.ModerationQueue.QueueItem;
import dev.comments.query.ModerationQueue.QueuePage;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The moderators' queue route, {@code …/moderation/queue}, on a real Undertow. */
class ModerationQueueRoutesTest {
  private static final String KEY = "demo-moderator-key-0001";
  private static final String PNG = "3f9a0c2e7b6d41e58a1f0d2c9b8e7a61";
  private static final String GIF = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  private final ObjectMapper json = new ObjectMapper();
  private PrimaryEdge edge;

  @BeforeEach
  void start() {
    CommentView held =
        new CommentView(
            "c1",
            null,
            Author.anonymous("s-ann", "Ann"),
            "look at this",
            T,
            null,
            false,
            0,
            0,
            VoteDirection.NONE,
            List.of(),
            null,
            CommentStatus.PENDING,
            false,
            List.of(
                new CommentMedia("demo", PNG, "image/png", 640, 480),
                CommentMedia.idOnly("demo", GIF)));
    QueueItem item = new QueueItem("t1", held, 0, List.of(), null, null, null, T, null);
    ModerationQueue queue = (query, readPreference) -> new QueuePage(List.of(item), null);
    edge = PrimaryEdge.start(Map.of("demo", new TenantSettings(KEY)), queue);
  }

  @AfterEach
  void stop() {
    edge.close();
  }

  @Test
  void a_queue_item_shows_its_comment_s_media_where_this_node_s_cdn_serves_them() throws Exception {
    HttpResponse<String> answer =
        edge.send(
            edge.at("/api/v1/tenants/demo/moderation/queue")
                .header("Authorization", "Bearer " + KEY),
            BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(200);
    JsonNode media = json.readTree(answer.body()).at("/items/0/comment/media");
    assertThat(media.size()).isEqualTo(2);
    assertThat(media.get(0))
        .isEqualTo(
            json.readTree(
                """
                {"mediaId": "%s", "url": "/cdn/v1/demo/%s", "contentType": "image/png",
                 "width": 640, "height": 480}"""
                    .formatted(PNG, PNG)));
    // An item this node has not seen uploaded yet: its id and where it will be, nothing more.
    assertThat(media.get(1))
        .isEqualTo(
            json.readTree(
                """
                {"mediaId": "%s", "url": "/cdn/v1/demo/%s"}"""
                    .formatted(GIF, GIF)));
  }
}
