package dev.comments.infra.dev;

import static dev.comments.infra.ApiContract.conforms;
import static dev.comments.infra.ApiContract.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import dev.comments.edge.session.SessionTokens;
import dev.comments.infra.ApiClient;
import dev.comments.infra.ApiClient.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collections;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v1 API end to end on a dev node (real Kafka broker, MongoDB driver over a socket, HTTP):
 * every answer is checked against docs/openapi.yaml, and every bad input gets its status and code
 * and changes nothing.
 */
class ApiIT {
  private static final String T = "/api/v1/tenants/demo";
  @TempDir static Path data;
  private static DevNode node;
  private static ApiClient api;

  @BeforeAll
  static void startNode() throws Exception {
    // Limits are on as in `comments dev`; tenant demo takes more posts (these tests post a lot
    // from one address), tenant other allows one link: each tenant's own settings are honoured.
    node =
        DevNode.start(
            data,
            0,
            "--comments.tenants.other.moderator-key=other-moderator-key-0123",
            "--comments.tenants.other.limits.max-links=1",
            "--comments.tenants.demo.limits.posts-per-session=500/10m",
            "--comments.tenants.demo.limits.posts-per-ip=500/10m");
    api = new ApiClient(node.baseUrl());
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void a_conversation_reads_back_as_written_and_matches_the_contract() {
    String ada = api.session("demo", "Ada");
    String bob = api.session("demo", "Bob");
    Reply first =
        conforms(
            "POST", T + "/threads/talk/comments", api.post("demo", "talk", ada, "Hello", null));
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("X-Consistency-Token")).isEqualTo(first.json().get("token").asText());
    String firstId = first.json().get("commentId").asText();
    Reply reply = api.post("demo", "talk", bob, "Hi Ada 👋", firstId);
    assertThat(reply.status()).isEqualTo(201);
    Reply vote =
        conforms(
            "POST",
            T + "/comments/" + firstId + "/vote",
            api.send("POST", T + "/comments/" + firstId + "/vote", bob, "{\"direction\":\"up\"}"));
    assertThat(vote.status()).isEqualTo(200);

    Reply page =
        conforms(
            "GET",
            T + "/threads/talk/comments",
            api.thread("demo", "talk", "sort=newest", vote.json().get("token").asText()));
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("X-Served-By")).isEqualTo("dev-1");
    assertThat(Long.parseLong(page.header("X-Replica-Lag-Ms"))).isNotNegative();
    JsonNode top = page.json().get("comments").get(0);
    assertThat(top.get("id").asText()).isEqualTo(firstId);
    assertThat(top.get("author").get("name").asText()).isEqualTo("Ada");
    assertThat(top.get("votes").get("up").asLong()).isEqualTo(1);
    assertThat(top.get("replies").get(0).get("text").asText()).isEqualTo("Hi Ada 👋");
    assertThat(top.get("replies").get(0).get("parentId").asText()).isEqualTo(firstId);
    assertThat(top.get("repliesNextCursor").isNull()).isTrue();

    String etag = page.header("ETag");
    Reply unchanged =
        conforms(
            "GET",
            T + "/threads/talk/comments",
            api.exchange(
                HttpRequest.newBuilder(
                        URI.create(api.baseUrl() + T + "/threads/talk/comments?sort=newest"))
                    .header("If-None-Match", etag)
                    .GET()
                    .build()));
    assertThat(unchanged.status()).isEqualTo(304);
    String replies = T + "/threads/talk/comments/" + firstId + "/replies";
    Reply more = conforms("GET", replies, api.send("GET", replies + "?limit=5", null, null));
    assertThat(more.status()).isEqualTo(200);
    assertThat(more.json().get("replies").get(0).get("text").asText()).isEqualTo("Hi Ada 👋");
    assertThat(more.json().get("nextCursor").isNull()).isTrue();
    Reply fewer =
        conforms(
            "GET",
            T + "/threads/talk/comments",
            api.send("GET", T + "/threads/talk/comments?replyLimit=0", null, null));
    String cursor = fewer.json().get("comments").get(0).get("repliesNextCursor").asText();
    Reply rest =
        conforms("GET", replies, api.send("GET", replies + "?cursor=" + cursor, null, null));
    assertThat(rest.json().get("replies").get(0).get("parentId").asText()).isEqualTo(firstId);
    expect(
        400,
        "invalid_cursor",
        api.send(
            "GET",
            T
                + "/threads/talk/comments/"
                + rest.json().get("replies").get(0).get("id").asText()
                + "/replies?cursor="
                + cursor,
            null,
            null));
    expect(400, "invalid_parameter", api.send("GET", replies + "?limit=101", null, null));
    expect(
        400,
        "invalid_parameter",
        api.send("GET", T + "/threads/talk/comments?replyLimit=101", null, null));
    expect(
        404,
        "comment_not_found",
        api.send("GET", T + "/threads/talk/comments/nope/replies", null, null));

    assertThat(
            conforms("GET", "/health/live", api.send("GET", "/health/live", null, null)).status())
        .isEqualTo(200);
    Reply metrics = api.send("GET", "/metrics", null, null);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(new String(metrics.raw().body(), StandardCharsets.UTF_8))
        .contains("http_server_requests_seconds_bucket")
        .contains("comments_projection_lag")
        .contains("comments_readmodel_hits_total{cache=\"threads\"")
        .contains("comments_readmodel_bytes{cache=\"page_json\"");
  }

  @Test
  void bad_input_gets_a_precise_error_and_changes_nothing() throws Exception {
    String ada = api.session("demo", "Ada");
    String bob = api.session("demo", "Bob");
    Reply posted = api.post("demo", "guarded", ada, "Keep me", null);
    String id = posted.json().get("commentId").asText();
    Reply deleted = api.post("demo", "guarded", ada, "Delete me", null);
    String deletedId = deleted.json().get("commentId").asText();
    assertThat(api.send("DELETE", T + "/comments/" + deletedId, ada, null).status()).isEqualTo(200);
    String otherThreadComment =
        api.post("demo", "elsewhere", ada, "Elsewhere", null).json().get("commentId").asText();
    Reply lastWrite = api.post("demo", "guarded", bob, "Reply", id);
    JsonNode before =
        api.thread("demo", "guarded", "sort=oldest", lastWrite.json().get("token").asText()).json();
    String comments = T + "/threads/guarded/comments";

    expect(
        400,
        "invalid_utf8",
        api.sendBytes(
            "POST",
            comments,
            ada,
            "application/json",
            new byte[] {
              '{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'
            }));
    expect(400, "text_empty", api.post("demo", "guarded", ada, "   \n ", null));
    expect(400, "text_too_long", api.post("demo", "guarded", ada, "é".repeat(10_001), null));
    expect(
        400,
        "parent_not_found",
        api.post("demo", "guarded", ada, "orphan", "0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a69"));
    expect(400, "invalid_field", api.post("demo", "guarded", ada, "orphan", "no-such-comment"));
    expect(400, "parent_not_found", api.post("demo", "guarded", ada, "moved", otherThreadComment));
    String otherTenant = api.session("other", "Eve");
    expect(400, "parent_not_found", api.post("other", "guarded", otherTenant, "cross", id));
    // Media a post names: their form is checked first (400), then whether the tenant has them
    // (422).
    String mine = upload("demo", ada);
    String theirs = upload("other", otherTenant);
    String gone = upload("demo", ada);
    assertThat(api.send("DELETE", T + "/media/" + gone, node.adminKey(), null).status())
        .isEqualTo(204);
    expect(422, "unknown_media", postMedia(ada, ApiClient.quote("0".repeat(32))));
    expect(422, "unknown_media", postMedia(ada, ApiClient.quote(theirs)));
    expect(422, "media_removed", postMedia(ada, ApiClient.quote(gone)));
    expect(
        422, "media_removed", postMedia(ada, ApiClient.quote(mine) + "," + ApiClient.quote(gone)));
    expect(400, "invalid_media_id", postMedia(ada, ApiClient.quote(mine.toUpperCase(Locale.ROOT))));
    expect(400, "invalid_media_id", postMedia(ada, "null"));
    expect(
        400,
        "duplicate_media",
        postMedia(ada, ApiClient.quote(mine) + "," + ApiClient.quote(mine)));
    expect(
        400,
        "too_many_media",
        postMedia(ada, String.join(",", Collections.nCopies(5, ApiClient.quote(mine)))));
    expect(
        400,
        "invalid_field",
        api.send("POST", T + "/threads/guarded/comments", ada, "{\"text\":\"x\",\"media\":{}}"));
    expect(
        409,
        "comment_deleted",
        api.send("POST", T + "/comments/" + deletedId + "/vote", bob, "{\"direction\":\"up\"}"));
    expect(
        409,
        "comment_deleted",
        api.send("PATCH", T + "/comments/" + deletedId, ada, "{\"text\":\"back\"}"));
    expect(
        403,
        "not_author",
        api.send("PATCH", T + "/comments/" + id, bob, "{\"text\":\"mine now\"}"));
    expect(
        404,
        "comment_not_found",
        api.send("POST", T + "/comments/nope/vote", bob, "{\"direction\":\"up\"}"));
    expect(404, "thread_not_found", api.thread("demo", "never-posted", null, null));
    expect(
        404,
        "thread_not_found",
        api.send("POST", T + "/threads/never-posted/unlock", node.adminKey(), null));
    expect(404, "tenant_not_found", api.post("nobody", "guarded", ada, "hi", null));

    expect(401, "session_required", api.post("demo", "guarded", null, "anonymous", null));
    expect(
        401,
        "session_invalid",
        api.post("demo", "guarded", ada.substring(0, ada.length() - 4) + "AAAA", "forged", null));
    expect(401, "session_invalid", api.post("demo", "guarded", "not.a.token", "garbage", null));
    expect(
        401,
        "session_wrong_tenant",
        api.post("demo", "guarded", otherTenant, "wrong tenant", null));
    expect(401, "session_expired", api.post("demo", "guarded", expiredToken(), "late", null));

    expect(
        400,
        "json_too_deep",
        api.send("POST", comments, ada, "[".repeat(5_000) + "]".repeat(5_000)));
    expect(413, "body_too_large", api.post("demo", "guarded", ada, "x".repeat(70_000), null));
    expect(
        400, "unknown_field", api.send("POST", comments, ada, "{\"text\":\"hi\",\"admin\":true}"));
    expect(400, "invalid_field", api.send("POST", comments, ada, "{\"text\":42}"));
    expect(
        400, "invalid_field", api.send("POST", comments, ada, "{\"text\":\"hi\",\"parentId\":{}}"));
    expect(400, "malformed_json", api.send("POST", comments, ada, "{\"text\":"));
    expect(
        415,
        "unsupported_media_type",
        api.sendBytes(
            "POST",
            comments,
            ada,
            "text/plain",
            "{\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8)));
    expect(
        400,
        "invalid_read_preference",
        api.thread("demo", "guarded", "readPreference=bogus", null));
    expect(400, "invalid_cursor", api.thread("demo", "guarded", "cursor=bogus", null));

    Reply lock = api.send("POST", T + "/threads/guarded/lock", node.adminKey(), null);
    expect(409, "thread_locked", api.post("demo", "guarded", ada, "after the lock", null));
    Reply lockedPage =
        conforms(
            "GET",
            T + "/threads/guarded/comments",
            api.thread("demo", "guarded", "sort=oldest", lock.json().get("token").asText()));
    assertThat(lockedPage.json().get("locked").asBoolean()).isTrue();
    assertThat(before.get("locked").asBoolean()).isFalse();
    Reply unlock = api.send("POST", T + "/threads/guarded/unlock", node.adminKey(), null);
    assertThat(unlock.status()).isEqualTo(200);

    JsonNode after =
        api.thread("demo", "guarded", "sort=oldest", unlock.json().get("token").asText()).json();
    assertThat(after).isEqualTo(before);
  }

  @Test
  void the_widget_files_and_the_demo_page_match_the_contract() {
    Reply loader =
        conforms("GET", "/widget/v1/embed.js", api.send("GET", "/widget/v1/embed.js", null, null));
    assertThat(loader.status()).isEqualTo(200);
    Matcher named =
        Pattern.compile("embed\\.[0-9a-f]{16}\\.js")
            .matcher(new String(loader.raw().body(), StandardCharsets.UTF_8));
    assertThat(named.find()).isTrue();
    String bundle = "/widget/v1/" + named.group();
    Reply gzipped =
        conforms(
            "GET",
            bundle,
            api.exchange(
                HttpRequest.newBuilder(URI.create(api.baseUrl() + bundle))
                    .header("Accept-Encoding", "gzip")
                    .GET()
                    .build()));
    assertThat(gzipped.header("Content-Encoding")).isEqualTo("gzip");
    assertThat(gzipped.header("Cache-Control")).contains("immutable");
    conforms("GET", "/widget/v1/demo.css", api.send("GET", "/widget/v1/demo.css", null, null));
    expect(
        404,
        "not_found",
        conforms(
            "GET",
            "/widget/v1/embed.0000000000000000.js",
            api.send("GET", "/widget/v1/embed.0000000000000000.js", null, null)));
    Reply demo = conforms("GET", "/", api.send("GET", "/", null, null));
    assertThat(demo.header("Content-Security-Policy")).contains("default-src 'none'");
  }

  @Test
  void a_retried_post_with_the_same_idempotency_key_is_applied_once() {
    String ada = api.session("demo", "Ada");
    String path = T + "/threads/retried/comments";

    Reply first = postWithKey(path, ada, "retry-1", "{\"text\":\"Once\"}");
    Reply retry = postWithKey(path, ada, "retry-1", "{\"text\":\"Once\"}");

    assertThat(first.status()).isEqualTo(201);
    assertThat(retry.status()).isEqualTo(201);
    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.json()).isEqualTo(first.json());
    Reply page = api.thread("demo", "retried", null, first.json().get("token").asText());
    assertThat(page.json().get("comments")).hasSize(1);
    expect(
        422, "idempotency_key_reused", postWithKey(path, ada, "retry-1", "{\"text\":\"Twice\"}"));
  }

  @Test
  void a_signed_out_session_is_refused_with_session_revoked_as_the_contract_says() {
    String ada = api.session("demo", "Ada");

    Reply signedOut = conforms("DELETE", T + "/sessions/current", api.signOut("demo", ada));

    assertThat(signedOut.status()).isEqualTo(204);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> "session_revoked".equals(api.post("demo", "out", ada, "x", null).errorCode()));
    conforms(
        "POST",
        T + "/threads/out/comments",
        expect(401, "session_revoked", api.post("demo", "out", ada, "x", null)));
    conforms(
        "DELETE",
        T + "/sessions/current",
        expect(401, "session_revoked", api.signOut("demo", ada)));
  }

  @Test
  void limits_against_abuse_are_on_and_answer_with_their_code() {
    String ada = api.session("demo", "Ada");
    String path = T + "/threads/limited/comments";
    conforms("POST", path, api.post("demo", "limited", ada, "Only once", null));

    Reply again = conforms("POST", path, api.post("demo", "limited", ada, "Only once", null));

    expect(429, "duplicate_text", again);
    // Ten minutes from the first post, in whole seconds, on the node's real clock.
    assertThat(Integer.parseInt(again.header("Retry-After"))).isBetween(590, 600);
    String eve = api.session("other", "Eve");
    String links = "see https://a.example and https://b.example";
    expect(400, "too_many_links", api.post("other", "limited", eve, links, null));
    assertThat(api.post("demo", "limited", ada, links, null).status()).isEqualTo(201);
  }

  @Test
  void an_edit_replaces_then_clears_the_media_readers_see_as_the_contract_says() throws Exception {
    String ada = api.session("demo", "Ada");
    String before = upload("demo", ada);
    String after = upload("demo", ada);
    Reply posted =
        api.send(
            "POST",
            T + "/threads/edited-media/comments",
            ada,
            "{\"text\":\"first\",\"media\":[\"" + before + "\"]}");
    String path = T + "/comments/" + posted.json().get("commentId").asText();

    Reply replaced =
        conforms(
            "PATCH",
            path,
            api.send("PATCH", path, ada, "{\"text\":\"second\",\"media\":[\"" + after + "\"]}"));
    assertThat(replaced.status()).as("%s", replaced.json()).isEqualTo(200);
    JsonNode shown =
        api.thread("demo", "edited-media", null, replaced.json().get("token").asText())
            .json()
            .at("/comments/0");
    assertThat(shown.get("text").asText()).isEqualTo("second");
    assertThat(shown.get("media").findValuesAsText("mediaId")).containsExactly(after);

    expect(
        400,
        "duplicate_media",
        api.send(
            "PATCH",
            path,
            ada,
            "{\"text\":\"x\",\"media\":[\"" + after + "\",\"" + after + "\"]}"));
    expect(
        422,
        "unknown_media",
        api.send("PATCH", path, ada, "{\"text\":\"x\",\"media\":[\"" + "0".repeat(32) + "\"]}"));
    Reply kept = api.send("PATCH", path, ada, "{\"text\":\"third\"}");
    assertThat(
            api.thread("demo", "edited-media", null, kept.json().get("token").asText())
                .json()
                .at("/comments/0/media")
                .findValuesAsText("mediaId"))
        .containsExactly(after);
    Reply cleared = api.send("PATCH", path, ada, "{\"text\":\"fourth\",\"media\":[]}");
    assertThat(
            api.thread("demo", "edited-media", null, cleared.json().get("token").asText())
                .json()
                .at("/comments/0/media")
                .size())
        .isZero();
  }

  @Test
  void a_queue_item_shows_its_comment_s_media_as_the_contract_says() throws Exception {
    String ada = api.session("demo", "Ada");
    String image = upload("demo", ada);
    Reply posted =
        api.send(
            "POST",
            T + "/threads/queued-media/comments",
            ada,
            "{\"text\":\"a picture\",\"media\":[\"" + image + "\"]}");
    assertThat(posted.status()).as("%s", posted.json()).isEqualTo(201);
    String id = posted.json().get("commentId").asText();
    Reply removed =
        api.send(
            "POST",
            T + "/comments/" + id + "/moderation",
            node.adminKey(),
            "{\"action\":\"remove\"}");
    assertThat(removed.status()).as("%s", removed.json()).isEqualTo(200);

    String queue = T + "/moderation/queue";
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              Reply page =
                  conforms(
                      "GET",
                      queue,
                      api.send(
                          "GET",
                          queue + "?status=removed&thread=queued-media",
                          node.adminKey(),
                          null));
              JsonNode media = page.json().at("/items/0/comment/media/0");
              assertThat(media.path("mediaId").asText()).isEqualTo(image);
              assertThat(media.path("contentType").asText()).isEqualTo("image/png");
            });
  }

  @Test
  void a_reply_deeper_than_five_levels_is_refused() {
    String ada = api.session("demo", "Ada");
    String parent = null;
    for (int depth = 1; depth <= 5; depth++) {
      Reply reply = api.post("demo", "deep", ada, "level " + depth, parent);
      assertThat(reply.status()).as("level %d: %s", depth, reply.json()).isEqualTo(201);
      parent = reply.json().get("commentId").asText();
    }
    expect(400, "reply_too_deep", api.post("demo", "deep", ada, "level 6", parent));
  }

  private static Reply postWithKey(String path, String bearer, String key, String json) {
    return api.exchange(
        HttpRequest.newBuilder(URI.create(api.baseUrl() + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + bearer)
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  /** A comment on thread {@code guarded} naming {@code mediaList}, the JSON array's entries. */
  private static Reply postMedia(String token, String mediaList) {
    return api.send(
        "POST",
        T + "/threads/guarded/comments",
        token,
        "{\"text\":\"with media\",\"media\":[" + mediaList + "]}");
  }

  /** Uploads a small PNG to {@code tenant}; returns its id. */
  private static String upload(String tenant, String token) throws IOException {
    java.awt.image.BufferedImage image =
        new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(image, "png", png);
    Reply uploaded =
        api.sendBytes(
            "POST", "/api/v1/tenants/" + tenant + "/media", token, "image/png", png.toByteArray());
    assertThat(uploaded.status()).as("%s", uploaded.json()).isEqualTo(201);
    return uploaded.json().get("mediaId").asText();
  }

  /** A token the node's own code issued a day and a minute ago, valid for a minute. */
  private static String expiredToken() throws Exception {
    Properties secrets = new Properties();
    try (InputStream in = Files.newInputStream(data.resolve("secrets.properties"))) {
      secrets.load(in);
    }
    byte[] secret = Base64.getDecoder().decode(secrets.getProperty(DevSecrets.SESSION));
    Clock yesterday = Clock.fixed(Instant.now().minus(Duration.ofDays(1)), ZoneOffset.UTC);
    return new SessionTokens(
            KeyRing.of(new SigningKey(DevSecrets.KEY_ID, secret)), Duration.ofMinutes(1), yesterday)
        .issue("demo", "Old")
        .token();
  }
}
