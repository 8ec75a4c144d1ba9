package dev.comments.infra.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.comments.edge.EdgeServer;
import dev.comments.infra.ApiClient;
import dev.comments.infra.ApiClient.Reply;
import dev.comments.infra.LiveClient.Socket;
import dev.comments.infra.node.NodeApplication;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Moderation end to end through the HTTP API of a dev node (real Kafka broker, MongoDB driver over
 * a socket) and of a replica beside it: moderators as people, their actions, pre-moderation, the
 * queue and bans, and every refusal.
 */
class ModerationIT {
  private static final String T = "/api/v1/tenants/demo";
  private static final String OTHER_ADMIN_KEY = "other-tenant-admin-key-0123";
  private static final String HELD_ADMIN_KEY = "held-tenant-admin-key-0123";
  private static final String FIRSTS_ADMIN_KEY = "firsts-tenant-admin-key-0123";

  @TempDir static Path data;
  @TempDir static Path replicaData;
  private static DevNode node;
  private static ApiClient api;
  private static EmbeddedMongo replicaMongo;
  private static ConfigurableApplicationContext replica;
  private static ApiClient replicaApi;

  @BeforeAll
  static void startNodes() throws Exception {
    node =
        DevNode.start(
            data,
            0,
            "--comments.tenants.other.moderation.admin-key=" + OTHER_ADMIN_KEY,
            "--comments.tenants.demo.moderation.flag-threshold=2",
            "--comments.tenants.held.moderation.admin-key=" + HELD_ADMIN_KEY,
            "--comments.tenants.held.moderation.pre-moderation=all",
            "--comments.tenants.firsts.moderation.admin-key=" + FIRSTS_ADMIN_KEY,
            "--comments.tenants.firsts.moderation.pre-moderation=first",
            "--comments.tenants.demo.limits.posts-per-session=500/10m",
            "--comments.tenants.demo.limits.posts-per-ip=500/10m");
    api = new ApiClient(node.baseUrl());
    // A replica of another region: its own store, the same log and keys, commands to the primary.
    replicaMongo = EmbeddedMongo.start(replicaData.resolve("mongo"));
    Properties secrets = DevSecrets.load(data.resolve("secrets.properties"));
    Map<String, Object> properties = new HashMap<>(DevSecrets.nodeSettings(secrets, "demo"));
    properties.put("comments.node.id", "replica-1");
    properties.put("comments.node.region", "far");
    properties.put("comments.node.role", "replica");
    properties.put("comments.node.primary-url", node.baseUrl());
    properties.put("comments.http.port", 0);
    properties.put("comments.mongo.uri", replicaMongo.connectionString());
    properties.put("comments.kafka.bootstrap-servers", node.kafkaBootstrapServers());
    properties.put("comments.kafka.replication-factor", 1);
    properties.put("comments.tenants.other.moderation.admin-key", OTHER_ADMIN_KEY);
    properties.put("comments.tenants.held.moderation.admin-key", HELD_ADMIN_KEY);
    properties.put("comments.tenants.firsts.moderation.admin-key", FIRSTS_ADMIN_KEY);
    properties.put("comments.limits.enabled", false);
    replica = NodeApplication.run(properties);
    replicaApi = new ApiClient("http://127.0.0.1:" + replica.getBean(EdgeServer.class).port());
  }

  @AfterAll
  static void stopNodes() {
    try {
      if (replica != null) {
        replica.close();
      }
      if (replicaMongo != null) {
        replicaMongo.close();
      }
    } finally {
      if (node != null) {
        node.close();
      }
    }
  }

  @Test
  void
      the_admin_appoints_lists_and_dismisses_moderators_and_a_dismissed_token_is_refused_everywhere() {
    Reply appointed = appoint("Grace");
    assertThat(appointed.status()).isEqualTo(201);
    String id = appointed.json().get("moderatorId").asText();
    String token = appointed.json().get("token").asText();
    assertThat(appointed.json().get("appointedBy").asText()).isEqualTo("admin");

    Reply listed = api.send("GET", T + "/moderators", node.adminKey(), null);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.json().get("moderators").findValuesAsText("moderatorId")).contains(id);
    assertThat(listed.toString()).doesNotContain(token);

    // The token works at once on the primary, and on the replica as soon as it read the record.
    assertThat(api.send("POST", T + "/threads/dismissal/lock", token, null).status())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> replicaApi.send("POST", T + "/threads/dismissal/unlock", token, null).status(),
            status -> status == 200);

    assertThat(api.send("DELETE", T + "/moderators/" + id, node.adminKey(), null).status())
        .isEqualTo(204);
    assertError(
        api.send("POST", T + "/threads/dismissal/lock", token, null),
        401,
        "moderator_token_invalid");
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertError(
                    replicaApi.send("POST", T + "/threads/dismissal/lock", token, null),
                    401,
                    "moderator_token_invalid"));
    assertError(
        api.send("DELETE", T + "/moderators/" + id, node.adminKey(), null),
        404,
        "moderator_not_found");
  }

  @Test
  void anonymous_sessions_other_tenants_and_moderators_are_refused_where_they_may_not_act() {
    String token = appoint("Linus").json().get("token").asText();
    String reader = api.session("demo", "Reader");

    assertError(
        api.send("POST", T + "/threads/guarded/lock", null, null), 401, "moderator_required");
    assertError(
        api.send("POST", T + "/threads/guarded/lock", reader, null), 401, "moderator_required");
    assertError(
        api.send("POST", "/api/v1/tenants/other/threads/guarded/lock", token, null),
        403,
        "moderator_wrong_tenant");
    assertError(
        api.send("POST", T + "/threads/guarded/lock", OTHER_ADMIN_KEY, null),
        403,
        "moderator_wrong_tenant");
    assertError(
        api.send("POST", T + "/moderators", token, "{\"name\":\"Mallory\"}"),
        403,
        "admin_required");
    assertError(api.send("GET", T + "/moderators", reader, null), 401, "moderator_required");
    assertError(
        replicaApi.send("POST", T + "/moderators", reader, "{\"name\":\"Mallory\"}"),
        401,
        "moderator_required");
  }

  @Test
  void bad_appointments_and_dismissals_are_refused_with_their_codes() {
    assertError(api.send("POST", T + "/moderators", node.adminKey(), "{}"), 400, "missing_field");
    assertError(
        api.send("POST", T + "/moderators", node.adminKey(), "{\"name\":\"  \"}"),
        400,
        "invalid_field");
    assertError(
        api.send("POST", T + "/moderators", node.adminKey(), "{\"name\":\"A\",\"role\":\"x\"}"),
        400,
        "unknown_field");
    assertError(
        api.send("DELETE", T + "/moderators/no", node.adminKey(), null), 400, "invalid_path");
    assertError(
        api.send("DELETE", T + "/moderators/unknown-moderator", node.adminKey(), null),
        404,
        "moderator_not_found");
  }

  @Test
  void every_action_on_a_comment_shows_in_the_thread_as_the_moderator_decided() {
    String moderator = appoint("Ada").json().get("token").asText();
    String writer = api.session("demo", "Writer");
    String first = commentId(api.post("demo", "acts", writer, "First words", null));
    String second = commentId(api.post("demo", "acts", writer, "Second words", null));
    api.post("demo", "acts", writer, "A reply", first);

    Reply removed = moderate(api, "demo", first, moderator, "remove", "off topic");
    assertThat(removed.status()).isEqualTo(200);
    JsonNode placeholder = comment(page("demo", "acts", removed), first);
    assertThat(placeholder.get("status").asText()).isEqualTo("removed");
    assertThat(placeholder.get("text").isNull()).isTrue();
    assertThat(placeholder.get("author").isNull()).isTrue();
    assertThat(placeholder.get("replies")).hasSize(1);

    Reply restored = moderate(api, "demo", first, moderator, "restore", null);
    assertThat(comment(page("demo", "acts", restored), first).get("text").asText())
        .isEqualTo("First words");

    Reply pinned = moderate(api, "demo", second, moderator, "pin", "answers the question");
    JsonNode pinnedPage = page("demo", "acts", pinned);
    assertThat(pinnedPage.get("comments").get(0).get("id").asText()).isEqualTo(second);
    assertThat(pinnedPage.get("comments").get(0).get("pinned").asBoolean()).isTrue();
    Reply unpinned = moderate(api, "demo", second, moderator, "unpin", null);
    assertThat(comment(page("demo", "acts", unpinned), second).get("pinned").asBoolean()).isFalse();

    // An action that finds the comment where it would put it changes nothing; one that does not
    // apply to it is refused.
    assertThat(moderate(api, "demo", second, moderator, "approve", null).status()).isEqualTo(200);
    assertError(
        moderate(api, "demo", second, moderator, "reject", null), 409, "moderation_not_allowed");

    // Locks name the moderator too, and a replica forwards a moderator's decision.
    assertThat(api.send("POST", T + "/threads/acts/lock", moderator, null).status()).isEqualTo(200);
    assertThat(api.send("POST", T + "/threads/acts/unlock", moderator, null).status())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> moderate(replicaApi, "demo", second, moderator, "remove", "spam").status(),
            status -> status == 200);
  }

  @Test
  void pre_moderation_holds_comments_until_a_moderator_approves_or_rejects_them() {
    String writer = api.session("held", "Writer");
    Reply posted = api.post("held", "queue", writer, "Please let me in", null);
    assertThat(posted.status()).isEqualTo(201);
    // The writer is told the post is held, through the primary and through a replica alike.
    assertThat(posted.json().get("status").asText()).isEqualTo("pending");
    Reply viaReplica = replicaApi.post("held", "queue", writer, "Also from afar", null);
    assertThat(viaReplica.json().get("status").asText()).isEqualTo("pending");
    String held = commentId(posted);
    assertThat(page("held", "queue", posted).get("comments")).isEmpty();
    String rejected = commentId(api.post("held", "queue", writer, "Buy cheap things", null));

    Reply approved = moderate(api, "held", held, HELD_ADMIN_KEY, "approve", null);
    assertThat(approved.status()).isEqualTo(200);
    assertThat(approved.json().get("status").asText()).isEqualTo("approved");
    Reply turnedDown = moderate(api, "held", rejected, HELD_ADMIN_KEY, "reject", "spam");
    assertThat(turnedDown.status()).isEqualTo(200);
    JsonNode shown = page("held", "queue", turnedDown).get("comments");
    assertThat(ids(shown)).containsExactly(held);
    assertThat(shown.get(0).get("text").asText()).isEqualTo("Please let me in");

    // "first": an author's first comment waits; once one was approved, the next goes up at once.
    String newcomer = api.session("firsts", "Newcomer");
    Reply first = api.post("firsts", "intro", newcomer, "Hello, first time here", null);
    assertThat(page("firsts", "intro", first).get("comments")).isEmpty();
    moderate(api, "firsts", commentId(first), FIRSTS_ADMIN_KEY, "approve", null);
    assertThat(first.json().get("status").asText()).isEqualTo("pending");
    Reply next = api.post("firsts", "intro", newcomer, "And again", null);
    assertThat(next.json().get("status").asText()).isEqualTo("approved");
    assertThat(page("firsts", "intro", next).get("comments")).hasSize(2);
  }

  @Test
  void the_queue_names_the_page_each_post_was_written_on_on_the_primary_and_the_replica() {
    String writer = api.session("held", "Pager");
    String path = "/api/v1/tenants/held/threads/p-launch/comments";
    String onPrimary =
        commentId(
            api.send(
                "POST",
                path,
                writer,
                "{\"text\":\"Where is the pad?\",\"page\":{\"url\":"
                    + "\"https://news.example.com/2026/launch?ref=home\","
                    + "\"title\":\"  Launch day <b>live</b> \"}}"));
    String viaReplica =
        commentId(
            replicaApi.send(
                "POST",
                path,
                writer,
                "{\"text\":\"From afar\",\"page\":{\"url\":\"https://news.example.com/far\"}}"));
    String withoutPage = commentId(api.post("held", "p-launch", writer, "No page named", null));

    for (ApiClient client : List.of(api, replicaApi)) {
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                Map<String, JsonNode> pages = new HashMap<>();
                queue(client, "held", HELD_ADMIN_KEY, "status=pending&thread=p-launch")
                    .get("items")
                    .forEach(item -> pages.put(item.get("comment").get("id").asText(), item));
                assertThat(pages).containsKeys(onPrimary, viaReplica, withoutPage);
                JsonNode page = pages.get(onPrimary).get("page");
                assertThat(page.get("url").asText())
                    .isEqualTo("https://news.example.com/2026/launch?ref=home");
                // Trimmed, and kept as text: the moderators' page shows it, never as HTML.
                assertThat(page.get("title").asText()).isEqualTo("Launch day <b>live</b>");
                JsonNode far = pages.get(viaReplica).get("page");
                assertThat(far.get("url").asText()).isEqualTo("https://news.example.com/far");
                assertThat(far.get("title").isNull()).isTrue();
                assertThat(pages.get(withoutPage).get("page").isNull()).isTrue();
              });
    }
  }

  @Test
  void the_queue_shows_a_held_comment_s_media_live_and_on_both_nodes_and_drops_a_removed_one()
      throws Exception {
    String writer = api.session("held", "Painter");
    String kept = upload("held", writer, 4, 3);
    String removed = upload("held", writer, 2, 2);
    String id;
    try (Socket watching = queueSocket("held", HELD_ADMIN_KEY)) {
      watching.next("subscribed", Duration.ofSeconds(10));
      id =
          commentId(
              api.send(
                  "POST",
                  "/api/v1/tenants/held/threads/m-queue/comments",
                  writer,
                  "{\"text\":\"Two pictures\",\"media\":[\"" + kept + "\",\"" + removed + "\"]}"));
      JsonNode entered = watching.next("queue-changed", Duration.ofSeconds(15));
      assertThat(entered.at("/payload/item/comment/id").asText()).isEqualTo(id);
      // Type and size may follow: the upload is another stream, perhaps applied after the post.
      JsonNode live = entered.at("/payload/item/comment/media");
      assertThat(live.findValuesAsText("mediaId")).containsExactly(kept, removed);
      assertThat(live.get(0).get("url").asText()).isEqualTo("/cdn/v1/held/" + kept);
    }

    for (ApiClient client : List.of(api, replicaApi)) {
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                JsonNode media =
                    queue(client, "held", HELD_ADMIN_KEY, "thread=m-queue")
                        .at("/items/0/comment/media");
                assertThat(media.findValuesAsText("mediaId")).containsExactly(kept, removed);
                assertThat(media.path(0).path("url").asText()).isEqualTo("/cdn/v1/held/" + kept);
                assertThat(media.path(0).path("contentType").asText()).isEqualTo("image/png");
                assertThat(media.path(0).path("width").asInt()).isEqualTo(4);
                assertThat(media.path(0).path("height").asInt()).isEqualTo(3);
              });
    }
    assertThat(
            api.send("DELETE", "/api/v1/tenants/held/media/" + removed, HELD_ADMIN_KEY, null)
                .status())
        .isEqualTo(204);
    for (ApiClient client : List.of(api, replicaApi)) {
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(
                          queue(client, "held", HELD_ADMIN_KEY, "thread=m-queue")
                              .at("/items/0/comment/media")
                              .findValuesAsText("mediaId"))
                      .containsExactly(kept));
    }
    // Readers see none of it while the comment is held.
    assertThat(api.thread("held", "m-queue", null, null).json().toString()).doesNotContain(kept);
  }

  /** Uploads a PNG of {@code width} x {@code height} to {@code tenant}; returns its id. */
  private static String upload(String tenant, String session, int width, int height)
      throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", png);
    Reply uploaded =
        api.sendBytes(
            "POST",
            "/api/v1/tenants/" + tenant + "/media",
            session,
            "image/png",
            png.toByteArray());
    assertThat(uploaded.status()).as("%s", uploaded.json()).isEqualTo(201);
    return uploaded.json().get("mediaId").asText();
  }

  @Test
  void bad_pages_are_refused_with_their_code_on_the_primary_and_the_replica() {
    String writer = api.session("demo", "Bad pager");
    List<String> pages =
        List.of(
            "\"https://news.example.com/\"",
            "{}",
            "{\"url\":\"/relative\"}",
            "{\"url\":\"javascript:alert(1)\"}",
            "{\"url\":\"https://news.example.com/a b\"}",
            "{\"url\":\"https://news.example.com/" + "a".repeat(2048) + "\"}",
            "{\"url\":\"https://news.example.com/\",\"title\":5}",
            "{\"url\":\"https://news.example.com/\",\"title\":\"" + "t".repeat(301) + "\"}",
            "{\"url\":\"https://news.example.com/\",\"title\":\"a\\u0007b\"}",
            "{\"url\":\"https://news.example.com/\",\"html\":\"<b>\"}");
    for (ApiClient client : List.of(api, replicaApi)) {
      for (String page : pages) {
        Reply refused =
            client.send(
                "POST",
                T + "/threads/bad-page/comments",
                writer,
                "{\"text\":\"x\",\"page\":" + page + "}");
        assertError(refused, 400, "invalid_page");
        assertThat(refused.json().toString()).doesNotContain("javascript", "<b>");
      }
    }
  }

  @Test
  void enough_flags_hide_a_comment_until_a_moderator_approves_it() {
    String writer = api.session("demo", "Writer");
    Reply posted = api.post("demo", "flags", writer, "A strong opinion", null);
    String id = commentId(posted);
    for (String flagger : new String[] {"Flagger One", "Flagger Two"}) {
      Reply flagged =
          api.send(
              "POST",
              T + "/comments/" + id + "/flag",
              api.session("demo", flagger),
              "{\"reason\":\"rude\"}");
      assertThat(flagged.status()).isEqualTo(200);
      posted = flagged;
    }
    // The flag that reached the threshold answers that the comment now waits for a moderator.
    assertThat(posted.json().get("status").asText()).isEqualTo("pending");
    assertThat(page("demo", "flags", posted).get("comments")).isEmpty();

    Reply approved = moderate(api, "demo", id, node.adminKey(), "approve", "fair comment");
    assertThat(ids(page("demo", "flags", approved).get("comments"))).containsExactly(id);
  }

  @Test
  void bad_moderation_requests_are_refused_with_their_codes() {
    String writer = api.session("demo", "Writer");
    String id = commentId(api.post("demo", "bad", writer, "Soon deleted", null));
    String admin = node.adminKey();

    assertError(moderate(api, "demo", id, admin, "ban", null), 400, "invalid_action");
    assertError(
        replicaApi.send("POST", T + "/comments/" + id + "/moderation", admin, "{\"action\":1}"),
        400,
        "invalid_field");
    assertError(
        api.send("POST", T + "/comments/" + id + "/moderation", admin, "{}"), 400, "missing_field");
    assertError(moderate(api, "demo", id, admin, "remove", "x".repeat(501)), 400, "reason_invalid");
    assertError(
        moderate(api, "demo", "no-such-comment", admin, "remove", null), 404, "comment_not_found");
    // Another tenant's comment is not found in this one, whoever asks.
    assertError(
        moderate(api, "other", id, OTHER_ADMIN_KEY, "remove", null), 404, "comment_not_found");
    api.send("DELETE", T + "/comments/" + id, writer, null);
    assertError(moderate(api, "demo", id, admin, "remove", null), 409, "comment_deleted");
  }

  @Test
  void the_queue_lists_pending_flagged_and_removed_comments_with_filters_search_and_pages() {
    String moderator = appoint("Queue Keeper").json().get("token").asText();
    String moderatorId = moderatorIdOf(moderator);
    String writer = api.session("held", "Queued Writer");
    String writerId =
        api.post("held", "q-a", writer, "Alpha question", null).json().get("commentId").asText();
    api.post("held", "q-b", writer, "Beta question", null);
    Reply last = api.post("held", "q-a", writer, "Gamma remark", null);
    String lastId = commentId(last);
    page("held", "q-a", last);

    JsonNode pending = queue(api, "held", HELD_ADMIN_KEY, "status=pending&user=" + userOf(writer));
    assertThat(pending.get("items")).hasSize(3);
    assertThat(pending.get("items").get(0).get("comment").get("id").asText()).isEqualTo(lastId);
    assertThat(pending.get("items").get(0).get("comment").get("text").asText())
        .isEqualTo("Gamma remark");
    assertThat(texts(queue(api, "held", HELD_ADMIN_KEY, "thread=q-a"))).contains("Alpha question");
    assertThat(texts(queue(api, "held", HELD_ADMIN_KEY, "thread=q-a")))
        .doesNotContain("Beta question");
    assertThat(texts(queue(api, "held", HELD_ADMIN_KEY, "q=BETA")))
        .containsExactly("Beta question");
    JsonNode first = queue(api, "held", HELD_ADMIN_KEY, "limit=2&user=" + userOf(writer));
    assertThat(first.get("items")).hasSize(2);
    JsonNode rest =
        queue(
            api,
            "held",
            HELD_ADMIN_KEY,
            "limit=2&user=" + userOf(writer) + "&cursor=" + first.get("nextCursor").asText());
    assertThat(rest.get("items")).hasSize(1);
    assertThat(rest.get("nextCursor").isNull()).isTrue();

    // Decisions leave the pending queue; a removal names its moderator and reason.
    Reply approved = moderate(api, "held", writerId, HELD_ADMIN_KEY, "approve", null);
    page("held", "q-a", approved);
    assertThat(texts(queue(api, "held", HELD_ADMIN_KEY, "thread=q-a")))
        .doesNotContain("Alpha question");

    String demoWriter = api.session("demo", "Loud");
    String loud = commentId(api.post("demo", "q-demo", demoWriter, "Very loud words", null));
    Reply flagged =
        api.send(
            "POST",
            T + "/comments/" + loud + "/flag",
            api.session("demo", "Flagger"),
            "{\"reason\":\"shouting\"}");
    page("demo", "q-demo", flagged);
    JsonNode flags = queue(api, "demo", moderator, "status=flagged&thread=q-demo");
    assertThat(flags.get("items").get(0).get("flags").asInt()).isEqualTo(1);
    assertThat(flags.get("items").get(0).get("flagReasons").get(0).asText()).isEqualTo("shouting");

    Reply removed = moderate(api, "demo", loud, moderator, "remove", "shouting at people");
    page("demo", "q-demo", removed);
    JsonNode gone =
        queue(api, "demo", moderator, "status=removed&thread=q-demo").get("items").get(0);
    assertThat(gone.get("moderatorId").asText()).isEqualTo(moderatorId);
    assertThat(gone.get("reason").asText()).isEqualTo("shouting at people");
    assertThat(gone.get("lastAction").asText()).isEqualTo("remove");
    assertThat(gone.get("comment").get("text").asText()).isEqualTo("Very loud words");
    assertThat(queue(api, "demo", moderator, "status=flagged&thread=q-demo").get("items"))
        .isEmpty();

    // Every node answers from its own projection.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> queue(replicaApi, "demo", moderator, "status=removed&thread=q-demo").get("items"),
            items -> items.size() == 1);
  }

  @Test
  void bad_queue_filters_are_refused_with_their_codes() {
    String admin = node.adminKey();
    String queue = T + "/moderation/queue";
    assertError(api.send("GET", queue + "?status=bogus", admin, null), 400, "invalid_parameter");
    assertError(api.send("GET", queue + "?limit=0", admin, null), 400, "invalid_parameter");
    assertError(api.send("GET", queue + "?sort=new", admin, null), 400, "invalid_parameter");
    assertError(api.send("GET", queue + "?thread=a%20b", admin, null), 400, "invalid_parameter");
    assertError(api.send("GET", queue + "?cursor=nonsense", admin, null), 400, "invalid_cursor");
    assertError(api.send("GET", queue, null, null), 401, "moderator_required");
  }

  @Test
  void a_ban_refuses_the_users_writes_on_every_node_hides_their_pending_comments_and_lifts() {
    String moderator = appoint("Ban Keeper").json().get("token").asText();
    String troll = api.session("demo", "Troll");
    String user = userOf(troll);
    commentId(api.post("demo", "bans", troll, "Before the ban", null));

    Reply banned =
        api.send(
            "POST",
            T + "/bans",
            moderator,
            "{\"userId\":\"" + user + "\",\"duration\":\"PT1H\",\"reason\":\"trolling\"}");
    assertThat(banned.status()).as("ban: %s", banned.json()).isEqualTo(200);
    assertThat(banned.json().get("until").isNull()).isFalse();
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> assertError(api.post("demo", "bans", troll, "During", null), 403, "user_banned"));
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertError(
                    replicaApi.post("demo", "bans", troll, "Elsewhere", null), 403, "user_banned"));
    // Moderators list the bans in force on any node; readers may not.
    JsonNode listed = replicaApi.send("GET", T + "/bans", moderator, null).json().get("bans");
    assertThat(listed)
        .filteredOn(ban -> ban.get("userId").asText().equals(user))
        .singleElement()
        .satisfies(
            ban ->
                assertThat(ban.get("until").asText())
                    .isEqualTo(banned.json().get("until").asText()));
    assertError(replicaApi.send("GET", T + "/bans", troll, null), 401, "moderator_required");

    assertThat(api.send("DELETE", T + "/bans/" + user, moderator, null).status()).isEqualTo(204);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                api.send("GET", T + "/bans", moderator, null)
                    .json()
                    .get("bans")
                    .findValuesAsText("userId"),
            users -> !users.contains(user));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> api.post("demo", "bans", troll, "After the ban", null).status(), s -> s == 201);

    // For good, with the user's pending comments taken out of the queue.
    String held = api.session("held", "Held Troll");
    Reply waiting = api.post("held", "bans", held, "Waiting for a moderator", null);
    commentId(waiting);
    page("held", "bans", waiting);
    assertThat(queue(api, "held", HELD_ADMIN_KEY, "user=" + userOf(held)).get("items")).hasSize(1);
    Reply forGood =
        api.send(
            "POST",
            "/api/v1/tenants/held/bans",
            HELD_ADMIN_KEY,
            "{\"userId\":\"" + userOf(held) + "\"}");
    assertThat(forGood.status()).isEqualTo(200);
    assertThat(forGood.json().get("until").isNull()).isTrue();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> queue(api, "held", HELD_ADMIN_KEY, "user=" + userOf(held)).get("items"),
            items -> items.isEmpty());
  }

  @Test
  void bad_bans_are_refused_with_their_codes() {
    String admin = node.adminKey();
    for (String duration : new String[] {"soon", "-PT1H", "PT0S", "P99999D"}) {
      assertError(
          api.send(
              "POST",
              T + "/bans",
              admin,
              "{\"userId\":\"someone\",\"duration\":\"" + duration + "\"}"),
          400,
          "invalid_duration");
    }
    assertError(
        replicaApi.send(
            "POST", T + "/bans", admin, "{\"userId\":\"someone\",\"duration\":\"soon\"}"),
        400,
        "invalid_duration");
    assertError(
        api.send("POST", T + "/bans", admin, "{\"userId\":\"a:b\"}"), 400, "invalid_user_id");
    assertError(api.send("POST", T + "/bans", admin, "{}"), 400, "missing_field");
    assertError(api.send("DELETE", T + "/bans/never-banned", admin, null), 404, "not_banned");
    assertError(
        api.send("POST", T + "/bans", api.session("demo", "Nobody"), "{\"userId\":\"someone\"}"),
        401,
        "moderator_required");
  }

  @Test
  void a_moderators_websocket_receives_each_queue_change_as_the_node_applies_it() {
    String token = appointIn("held", HELD_ADMIN_KEY, "Live Watcher");
    String writer = api.session("held", "Live Writer");
    try (Socket admin = queueSocket("held", HELD_ADMIN_KEY);
        Socket moderator = queueSocket("held", token)) {
      assertThat(moderator.next("subscribed", Duration.ofSeconds(10)).at("/payload/resumed"))
          .isEqualTo(com.fasterxml.jackson.databind.node.BooleanNode.FALSE);
      admin.next("subscribed", Duration.ofSeconds(10));

      Reply posted = api.post("held", "live-queue", writer, "Waiting live", null);
      String id = commentId(posted);
      JsonNode entered = moderator.next("queue-changed", Duration.ofSeconds(15));
      assertThat(entered.get("thread").asText()).isEqualTo("live-queue");
      assertThat(entered.get("position").asLong()).isZero();
      assertThat(entered.at("/payload/queue").asText()).isEqualTo("pending");
      assertThat(entered.at("/payload/item/comment/id").asText()).isEqualTo(id);
      assertThat(entered.at("/payload/item/comment/text").asText()).isEqualTo("Waiting live");
      assertThat(entered.at("/payload/item/comment/author/name").asText()).isEqualTo("Live Writer");
      assertThat(admin.next("queue-changed", Duration.ofSeconds(15))).isEqualTo(entered);
      // Told after the queue holds it: a read now shows it.
      assertThat(texts(queue(api, "held", token, "thread=live-queue"))).contains("Waiting live");

      assertThat(moderate(api, "held", id, token, "approve", "fine").status()).isEqualTo(200);
      JsonNode left = moderator.next("queue-changed", Duration.ofSeconds(15));
      assertThat(left.at("/payload/queue").asText()).isEqualTo("none");
      assertThat(left.at("/payload/item/comment/id").asText()).isEqualTo(id);
      assertThat(left.at("/payload/item/lastAction").asText()).isEqualTo("approve");
      assertThat(left.at("/payload/item/reason").asText()).isEqualTo("fine");
      assertThat(left.get("position").asLong()).isEqualTo(1);

      // Another tenant's queue is not this one's business.
      api.post("demo", "live-queue", api.session("demo", "Elsewhere"), "Not held", null);
      Reply second = api.post("held", "live-queue", writer, "Second", null);
      assertThat(
              moderator
                  .next("queue-changed", Duration.ofSeconds(15))
                  .at("/payload/item/comment/id")
                  .asText())
          .isEqualTo(commentId(second));
    }
  }

  @Test
  void the_queue_websocket_refuses_who_may_not_moderate_and_closes_on_dismissal() {
    String reader = api.session("held", "Curious Reader");
    String demoModerator = appoint("Other Tenant's").json().get("token").asText();
    assertClosed(queueSocket("held", null), 4401, "moderator_required");
    assertClosed(queueSocket("held", reader), 4401, "moderator_required");
    assertClosed(queueSocket("held", "mod1.held.nobody.c2VjcmV0"), 4401, "moderator_");
    assertClosed(queueSocket("held", demoModerator), 4403, "moderator_wrong_tenant");
    assertClosed(queueSocket("held", OTHER_ADMIN_KEY), 4403, "moderator_wrong_tenant");
    assertClosed(queueSocket("nowhere", HELD_ADMIN_KEY), 4404, "tenant_not_found");

    try (Socket talker = queueSocket("held", HELD_ADMIN_KEY)) {
      talker.next("subscribed", Duration.ofSeconds(10));
      talker.send("{\"type\":\"subscribe\",\"thread\":\"x\"}");
      assertThat(talker.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1007);
    }

    String token = appointIn("held", HELD_ADMIN_KEY, "Soon Dismissed");
    try (Socket dismissed = queueSocket("held", token)) {
      dismissed.next("subscribed", Duration.ofSeconds(10));
      assertThat(
              api.send(
                      "DELETE",
                      "/api/v1/tenants/held/moderators/" + moderatorIdOf(token),
                      HELD_ADMIN_KEY,
                      null)
                  .status())
          .isEqualTo(204);
      Socket.Closed closed = dismissed.awaitClose(Duration.ofSeconds(10));
      assertThat(closed.code()).isEqualTo(4401);
      assertThat(closed.reason()).startsWith("moderator_token_invalid");
    }
  }

  private static Socket queueSocket(String tenant, String bearer) {
    URI uri =
        URI.create(
            node.baseUrl().replace("http://", "ws://")
                + "/live/v1/tenants/"
                + tenant
                + "/moderation/queue");
    return bearer == null
        ? Socket.open(api.http(), uri)
        : Socket.open(api.http(), uri, "comments.v1", "bearer." + bearer);
  }

  private static void assertClosed(Socket socket, int code, String reasonStart) {
    try (socket) {
      Socket.Closed closed = socket.awaitClose(Duration.ofSeconds(10));
      assertThat(closed.code()).as("close of %s", closed).isEqualTo(code);
      assertThat(closed.reason()).startsWith(reasonStart);
    }
  }

  private static String appointIn(String tenant, String adminKey, String name) {
    Reply appointed =
        api.send(
            "POST",
            "/api/v1/tenants/" + tenant + "/moderators",
            adminKey,
            "{\"name\":\"" + name + "\"}");
    assertThat(appointed.status()).as("appoint: %s", appointed.json()).isEqualTo(201);
    return appointed.json().get("token").asText();
  }

  private static JsonNode queue(ApiClient client, String tenant, String bearer, String query) {
    Reply reply =
        client.send(
            "GET", "/api/v1/tenants/" + tenant + "/moderation/queue?" + query, bearer, null);
    assertThat(reply.status()).as("queue: %s", reply.json()).isEqualTo(200);
    return reply.json();
  }

  private static List<String> texts(JsonNode queue) {
    List<String> texts = new ArrayList<>();
    queue.get("items").forEach(item -> texts.add(item.get("comment").get("text").asText()));
    return texts;
  }

  private static String moderatorIdOf(String token) {
    return token.split("\\.")[2];
  }

  /** The author id a session's comments carry: its session id, the token's subject. */
  private static String userOf(String sessionToken) {
    String payload = sessionToken.split("\\.")[1];
    String json =
        new String(
            java.util.Base64.getUrlDecoder().decode(payload),
            java.nio.charset.StandardCharsets.UTF_8);
    return json.replaceAll(".*\"sub\":\"([^\"]+)\".*", "$1");
  }

  private static Reply moderate(
      ApiClient client,
      String tenant,
      String commentId,
      String bearer,
      String action,
      String reason) {
    return client.send(
        "POST",
        "/api/v1/tenants/" + tenant + "/comments/" + commentId + "/moderation",
        bearer,
        "{\"action\":\""
            + action
            + "\""
            + (reason == null ? "" : ",\"reason\":" + ApiClient.quote(reason))
            + "}");
  }

  /** The thread's first page as of the write {@code after} answered. */
  private static JsonNode page(String tenant, String thread, Reply after) {
    Reply page = api.thread(tenant, thread, null, after.json().get("token").asText());
    assertThat(page.status()).isEqualTo(200);
    return page.json();
  }

  private static JsonNode comment(JsonNode page, String id) {
    for (JsonNode comment : page.get("comments")) {
      if (comment.get("id").asText().equals(id)) {
        return comment;
      }
    }
    throw new AssertionError("no comment " + id + " in " + page);
  }

  private static List<String> ids(JsonNode comments) {
    List<String> ids = new ArrayList<>();
    comments.forEach(c -> ids.add(c.get("id").asText()));
    return ids;
  }

  private static String commentId(Reply posted) {
    assertThat(posted.status()).as("post: %s", posted.json()).isEqualTo(201);
    return posted.json().get("commentId").asText();
  }

  private static Reply appoint(String name) {
    return api.send("POST", T + "/moderators", node.adminKey(), "{\"name\":\"" + name + "\"}");
  }

  static void assertError(Reply reply, int status, String code) {
    assertThat(reply.status()).as("status of %s", reply.json()).isEqualTo(status);
    assertThat(reply.errorCode()).isEqualTo(code);
    assertThat(reply.json().path("error").path("message").asText()).isNotBlank();
  }
}
