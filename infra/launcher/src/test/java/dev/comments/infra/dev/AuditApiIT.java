package dev.comments.infra.dev;

import static dev.comments.infra.ApiContract.conforms;
import static dev.comments.infra.ApiContract.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.primary.ClusterKey;
import dev.comments.infra.ApiClient;
import dev.comments.infra.ApiClient.Reply;
import dev.comments.infra.ops.ProjectionsCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log, replays, undo and the projections' administration end to end on a dev node: every
 * moderator action is audited, bad input gets its status and code, and a rebuild through the
 * operator's command, after every kind of moderation decision, ends with the same checksum, pages
 * and queues.
 */
class AuditApiIT {
  private static final String T = "/api/v1/tenants/demo";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String HELD_ADMIN_KEY = "held-tenant-admin-key-0123";
  @TempDir static Path data;
  private static DevNode node;
  private static ApiClient api;
  private static String clusterKey;

  @BeforeAll
  static void startNode() throws Exception {
    node =
        DevNode.start(
            data,
            0,
            "--comments.tenants.demo.moderation.flag-threshold=2",
            "--comments.tenants.held.moderation.admin-key=" + HELD_ADMIN_KEY,
            "--comments.tenants.held.moderation.pre-moderation=all");
    api = new ApiClient(node.baseUrl());
    clusterKey = ProjectionsCommand.clusterKeyOf(data);
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  private static List<JsonNode> audit(String query) throws Exception {
    Reply reply = api.send("GET", T + "/audit?" + query, node.adminKey(), null);
    assertThat(reply.status())
        .as("%s", new String(reply.raw().body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    assertThat(reply.header("Content-Type")).startsWith("application/x-ndjson");
    List<JsonNode> lines = new ArrayList<>();
    for (String line : new String(reply.raw().body(), StandardCharsets.UTF_8).split("\n", -1)) {
      if (!line.isEmpty()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  private static String at(Instant instant) {
    return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
  }

  @Test
  void every_moderator_action_is_audited_and_a_thread_reads_as_it_was() throws Exception {
    String ada = api.session("demo", "Ada");
    Reply posted = api.post("demo", "audited", ada, "first words", null);
    assertThat(posted.status()).isEqualTo(201);
    String commentId = posted.json().get("commentId").asText();
    Reply edited =
        api.send("PATCH", T + "/comments/" + commentId, ada, "{\"text\":\"better words\"}");
    assertThat(edited.status()).isEqualTo(200);
    Reply appointed = api.send("POST", T + "/moderators", node.adminKey(), "{\"name\":\"Grace\"}");
    assertThat(appointed.status()).isEqualTo(201);
    String grace = appointed.json().get("moderatorId").asText();
    String token = appointed.json().get("token").asText();
    for (String action : List.of("lock", "unlock", "lock")) {
      assertThat(api.send("POST", T + "/threads/audited/" + action, token, null).status())
          .isEqualTo(200);
    }
    // Undo of the last lock: its compensating unlock, audited like any other action.
    Reply undo =
        conforms(
            "POST",
            T + "/threads/audited/audit/4/undo",
            api.send("POST", T + "/threads/audited/audit/4/undo", token, null));
    assertThat(undo.status()).isEqualTo(200);
    Reply removed =
        api.send(
            "POST",
            T + "/comments/" + commentId + "/moderation",
            token,
            "{\"action\":\"remove\",\"reason\":\"off topic\"}");
    assertThat(removed.status()).isEqualTo(200);
    // Undo of the removal: a restore, by the moderator who asked for it.
    assertThat(api.send("POST", T + "/threads/audited/audit/6/undo", token, null).status())
        .isEqualTo(200);
    expect(
        409,
        "not_undoable",
        api.send("POST", T + "/threads/audited/audit/0/undo", node.adminKey(), null));
    expect(
        404,
        "audit_entry_not_found",
        api.send("POST", T + "/threads/audited/audit/99/undo", node.adminKey(), null));
    expect(
        401,
        "moderator_required",
        api.send("POST", T + "/threads/audited/audit/4/undo", ada, null));

    await().atMost(PATIENCE).until(() -> audit("thread=audited").size() == 8);
    List<JsonNode> entries = audit("thread=audited");
    assertThat(entries)
        .extracting(e -> e.get("what").asText())
        .containsExactly(
            "CommentPosted",
            "CommentEdited",
            "ThreadLocked",
            "ThreadUnlocked",
            "ThreadLocked",
            "ThreadUnlocked",
            "CommentModerated",
            "CommentModerated");
    JsonNode lock = entries.get(2);
    assertThat(lock.get("who").get("kind").asText()).isEqualTo("moderator");
    assertThat(lock.get("who").get("id").asText()).isEqualTo(grace);
    assertThat(entries.get(6).get("why").asText()).isEqualTo("off topic");
    assertThat(entries.get(7).get("event").get("action").asText()).isEqualTo("restore");
    assertThat(Instant.parse(lock.get("at").asText())).isBeforeOrEqualTo(Instant.now());
    assertThat(audit("moderator=" + grace))
        .as("every action of this moderator, the undo included")
        .extracting(e -> e.get("seq").asLong())
        .containsExactly(2L, 3L, 4L, 5L, 6L, 7L);

    // The thread as it was between the post and the edit.
    Instant postedAt = Instant.parse(entries.get(0).get("at").asText());
    Instant editedAt = Instant.parse(entries.get(1).get("at").asText());
    String asOfPath = T + "/threads/audited/comments";
    Reply before =
        conforms(
            "GET",
            asOfPath,
            api.send("GET", asOfPath + "?asOf=" + at(postedAt), node.adminKey(), null));
    assertThat(before.status()).isEqualTo(200);
    assertThat(before.json().get("comments").get(0).get("text").asText()).isEqualTo("first words");
    Reply after = api.send("GET", asOfPath + "?asOf=" + at(editedAt), node.adminKey(), null);
    assertThat(after.json().get("comments").get(0).get("text").asText()).isEqualTo("better words");
    expect(
        404,
        "thread_not_found",
        api.send(
            "GET", asOfPath + "?asOf=" + at(postedAt.minusSeconds(60)), node.adminKey(), null));
    expect(
        400,
        "as_of_in_future",
        api.send(
            "GET",
            asOfPath + "?asOf=" + at(Instant.now().plusSeconds(3600)),
            node.adminKey(),
            null));
    expect(
        400, "invalid_as_of", api.send("GET", asOfPath + "?asOf=yesterday", node.adminKey(), null));
    expect(
        401, "moderator_required", api.send("GET", asOfPath + "?asOf=" + at(postedAt), ada, null));

    // The comment's edit history, as diffs.
    String history = T + "/threads/audited/comments/" + commentId + "/history";
    Reply revisions = conforms("GET", history, api.send("GET", history, node.adminKey(), null));
    assertThat(revisions.status()).isEqualTo(200);
    assertThat(revisions.json().get("revisions")).hasSize(2);
    assertThat(revisions.json().get("revisions").get(1).get("diff").toString())
        .contains("-first words", "+better words");
    expect(
        404,
        "comment_not_found",
        api.send("GET", T + "/threads/audited/comments/nope/history", node.adminKey(), null));

    // Audit ranges that cannot be served.
    Instant now = Instant.now();
    expect(
        400,
        "invalid_range",
        api.send(
            "GET",
            T + "/audit?from=" + at(now) + "&to=" + at(now.minusSeconds(1)),
            node.adminKey(),
            null));
    expect(
        400,
        "range_too_wide",
        api.send(
            "GET",
            T + "/audit?from=" + at(now.minus(Duration.ofDays(40))) + "&to=" + at(now),
            node.adminKey(),
            null));
    expect(
        400, "invalid_parameter", api.send("GET", T + "/audit?from=soon", node.adminKey(), null));
    expect(
        400,
        "invalid_parameter",
        api.send("GET", T + "/audit?user=a&moderator=b", node.adminKey(), null));
    expect(401, "moderator_required", api.send("GET", T + "/audit", ada, null));
  }

  @Test
  void an_operator_rebuilds_a_projection_after_moderation_decisions_and_nothing_changes()
      throws Exception {
    String last = moderatedThreads();
    await()
        .atMost(PATIENCE)
        .until(() -> admin("GET", "/admin/projections/threads/checksum").status() == 200);
    expect(
        401, "invalid_cluster_key", api.send("GET", "/admin/projections", node.adminKey(), null));
    Reply list = conforms("GET", "/admin/projections", admin("GET", "/admin/projections"));
    assertThat(list.json().get("projections"))
        .extracting(p -> p.get("name").asText())
        .containsExactly("threads", "audit");
    expect(404, "unknown_projection", admin("POST", "/admin/projections/nonsense/rebuild"));
    expect(404, "unknown_projection", admin("GET", "/admin/projections/nonsense"));
    // Every decision applied (the last write read back), and every page readers and moderators see.
    assertThat(api.thread("demo", "rebuilt", null, last).status()).isEqualTo(200);
    await().atMost(PATIENCE).until(() -> seen().equals(seen()));
    String before = checksum("threads");
    List<String> seenBefore = seen();

    Reply started =
        conforms(
            "POST",
            "/admin/projections/threads/rebuild",
            admin("POST", "/admin/projections/threads/rebuild"));
    assertThat(started.status()).isEqualTo(202);
    expect(409, "rebuild_in_progress", admin("POST", "/admin/projections/threads/rebuild"));
    await()
        .atMost(PATIENCE)
        .until(
            () -> !admin("GET", "/admin/projections/threads").json().get("rebuilding").asBoolean());
    Reply status =
        conforms("GET", "/admin/projections/threads", admin("GET", "/admin/projections/threads"));
    assertThat(status.json().get("lastRebuild").get("state").asText()).isEqualTo("swapped");
    assertThat(status.json().get("generation").asInt()).isEqualTo(1);
    assertThat(checksum("threads")).as("the checksum after the rebuild").isEqualTo(before);
    assertThat(seen()).as("pages and queues after the rebuild").isEqualTo(seenBefore);

    // The operator's command follows a rebuild to its swap.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        new ProjectionsCommand(
                URI.create(node.baseUrl()),
                clusterKey,
                new PrintStream(out, true, StandardCharsets.UTF_8))
            .run("rebuild", List.of("audit"), true);
    assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("100.0%", "swapped, generation 1");
    assertThat(
            conforms("GET", "/admin/dead-letters", admin("GET", "/admin/dead-letters"))
                .json()
                .get("deadLetters"))
        .isEmpty();
    assertThat(
            conforms(
                    "POST", "/admin/dead-letters/retry", admin("POST", "/admin/dead-letters/retry"))
                .json()
                .get("retried")
                .asInt())
        .isZero();
    Reply metrics = api.send("GET", "/metrics", null, null);
    assertThat(new String(metrics.raw().body(), StandardCharsets.UTF_8))
        .containsPattern(
            "comments_projection_rebuild_percent\\{[^}]*projection=\"threads\"[^}]*\\} 100\\.0");
  }

  /**
   * Comments, replies, edits, deletes and votes, and every kind of moderation decision on them:
   * removals and restores, pins, flags that hold a comment, approvals and rejections of pending
   * comments, a ban of an author with a pending comment, locks. Returns the last write's token.
   */
  private static String moderatedThreads() {
    String bob = api.session("demo", "Bob");
    String carol = api.session("demo", "Carol");
    String dave = api.session("demo", "Dave");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Reply posted = api.post("demo", "rebuilt", bob, "comment " + i, null);
      assertThat(posted.status()).isEqualTo(201);
      ids.add(posted.json().get("commentId").asText());
    }
    String reply = commentId(api.post("demo", "rebuilt", carol, "a reply", ids.get(0)));
    api.post("demo", "rebuilt", dave, "a reply to a reply", reply);
    api.post("demo", "rebuilt", dave, "a reply to a removed comment", ids.get(2));
    ok(api.send("PATCH", T + "/comments/" + ids.get(1), bob, "{\"text\":\"edited\"}"));
    ok(api.send("DELETE", T + "/comments/" + ids.get(9), bob, null));
    ok(api.send("POST", T + "/comments/" + ids.get(0) + "/vote", carol, "{\"direction\":\"up\"}"));
    ok(api.send("POST", T + "/comments/" + ids.get(1) + "/vote", dave, "{\"direction\":\"down\"}"));
    ok(api.send("POST", T + "/comments/" + ids.get(1) + "/vote", dave, "{\"direction\":\"none\"}"));
    String admin = node.adminKey();
    ok(moderate(ids.get(2), admin, "remove"));
    ok(moderate(ids.get(3), admin, "remove"));
    ok(moderate(ids.get(3), admin, "restore"));
    ok(moderate(ids.get(4), admin, "pin"));
    ok(moderate(ids.get(5), admin, "pin"));
    ok(moderate(ids.get(5), admin, "unpin"));
    // Two flags hold a comment (the node's threshold); one is approved again, one stays held.
    for (String flagged : List.of(ids.get(6), ids.get(7))) {
      for (String flagger : List.of(carol, dave)) {
        ok(
            api.send(
                "POST", T + "/comments/" + flagged + "/flag", flagger, "{\"reason\":\"rude\"}"));
      }
    }
    ok(moderate(ids.get(6), admin, "approve"));
    ok(api.send("POST", T + "/comments/" + ids.get(8) + "/flag", carol, "{\"reason\":\"spam\"}"));
    // Pre-moderation: one pending comment approved, one rejected, one left to a banned author.
    String held = "/api/v1/tenants/held";
    String eve = api.session("held", "Eve");
    String mallory = api.session("held", "Mallory");
    String approved = commentId(api.post("held", "waiting", eve, "let me in", null));
    String rejected = commentId(api.post("held", "waiting", eve, "and me", null));
    api.post("held", "waiting", mallory, "never shown", null);
    ok(
        api.send(
            "POST",
            held + "/comments/" + approved + "/moderation",
            HELD_ADMIN_KEY,
            "{\"action\":\"approve\"}"));
    ok(
        api.send(
            "POST",
            held + "/comments/" + rejected + "/moderation",
            HELD_ADMIN_KEY,
            "{\"action\":\"reject\"}"));
    ok(
        api.send(
            "POST",
            held + "/bans",
            HELD_ADMIN_KEY,
            "{\"userId\":\"" + userOf(mallory) + "\",\"reason\":\"troll\"}"));
    // The ban took the banned author's pending comment out of the queue: every decision is applied.
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                api.send("GET", held + "/moderation/queue?status=pending", HELD_ADMIN_KEY, null)
                    .json()
                    .get("items")
                    .isEmpty());
    ok(api.send("POST", T + "/threads/rebuilt/lock", admin, null));
    ok(api.send("POST", T + "/threads/rebuilt/unlock", admin, null));
    return ok(api.send("POST", T + "/threads/rebuilt/lock", admin, null))
        .json()
        .get("token")
        .asText();
  }

  /** What readers and moderators see of the moderated threads: pages of each sort, and queues. */
  private static List<String> seen() {
    List<String> seen = new ArrayList<>();
    for (String sort : List.of("newest", "oldest", "top")) {
      seen.add(
          api.thread("demo", "rebuilt", "sort=" + sort + "&limit=5", null)
              .json()
              .get("comments")
              .toString());
      seen.add(
          api.thread("held", "waiting", "sort=" + sort, null).json().get("comments").toString());
    }
    for (String queue : List.of("pending", "flagged", "removed")) {
      seen.add(
          api.send("GET", T + "/moderation/queue?status=" + queue, node.adminKey(), null)
              .json()
              .toString());
      seen.add(
          api.send(
                  "GET",
                  "/api/v1/tenants/held/moderation/queue?status=" + queue,
                  HELD_ADMIN_KEY,
                  null)
              .json()
              .toString());
    }
    return seen;
  }

  private static Reply moderate(String commentId, String bearer, String action) {
    return api.send(
        "POST",
        T + "/comments/" + commentId + "/moderation",
        bearer,
        "{\"action\":\"" + action + "\"}");
  }

  private static Reply ok(Reply reply) {
    assertThat(reply.status()).as("%s", reply.json()).isBetween(200, 204);
    return reply;
  }

  private static String commentId(Reply posted) {
    assertThat(posted.status()).as("%s", posted.json()).isEqualTo(201);
    return posted.json().get("commentId").asText();
  }

  /** The author id a session's comments carry: its session id, the token's subject. */
  private static String userOf(String sessionToken) {
    String payload = sessionToken.split("\\.")[1];
    String json =
        new String(java.util.Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8);
    return json.replaceAll(".*\"sub\":\"([^\"]+)\".*", "$1");
  }

  private static String checksum(String name) {
    Reply reply =
        conforms(
            "GET",
            "/admin/projections/" + name + "/checksum",
            admin("GET", "/admin/projections/" + name + "/checksum"));
    return reply.json().get("sha256").asText();
  }

  private static Reply admin(String method, String path) {
    return api.exchange(
        HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
            .header(ClusterKey.HEADER, clusterKey)
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build());
  }
}
