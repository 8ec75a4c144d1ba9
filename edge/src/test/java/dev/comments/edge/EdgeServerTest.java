package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import dev.comments.edge.consistency.ConsistencyToken;
import dev.comments.edge.consistency.ConsistencyTokens;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.testing.FakeProjectionStatus;
import dev.comments.edge.testing.FixedPositions;
import dev.comments.edge.testing.InMemoryIdempotencyKeys;
import dev.comments.edge.testing.InMemoryRevocations;
import dev.comments.edge.testing.MutableClock;
import dev.comments.edge.testing.QuietFeeds;
import dev.comments.edge.testing.RecordingCommands;
import dev.comments.edge.testing.RecordingQueries;
import dev.comments.edge.testing.TestEdgeSettings;
import dev.comments.edge.testing.TestKeys;
import dev.comments.events.Author;
import dev.comments.events.CommentStatus;
import dev.comments.events.HostPage;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentMedia;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.SortOrder;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.InvalidCursorException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The edge's HTTP layer on a real Undertow, with recording stand-ins for the ports. */
class EdgeServerTest {
  private static final String MODERATOR_KEY = "demo-moderator-key-0001";
  private static final String JSON = "application/json";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ThreadId T1 = new ThreadId("demo", "t1");
  private static final String PNG = "3f9a0c2e7b6d41e58a1f0d2c9b8e7a61";
  private static final String GIF = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";

  /** Short, so that the stalled-body test is quick; long enough for every other test's body. */
  private static final Duration BODY_TIMEOUT = Duration.ofSeconds(3);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final RecordingCommands commands = new RecordingCommands();
  private final InMemoryIdempotencyKeys idempotencyKeys = new InMemoryIdempotencyKeys();
  private final RecordingQueries queries = new RecordingQueries();
  private final FixedPositions positions = new FixedPositions();
  private final InMemoryRevocations revocations = new InMemoryRevocations();
  private final FakeProjectionStatus status = new FakeProjectionStatus();
  private final PrometheusMeterRegistry meters =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private EdgeServer server;

  @BeforeEach
  void start() {
    server = start(4);
  }

  @AfterEach
  void stop() {
    server.close();
    client.close();
  }

  private EdgeServer start(int workerThreads) {
    EdgeSettings settings =
        TestEdgeSettings.node("node-a")
            .tenants(
                Map.of(
                    "demo", new TenantSettings(MODERATOR_KEY),
                    "other", new TenantSettings("other-moderator-key-01")))
            .threads(1, workerThreads)
            .bodyTimeout(BODY_TIMEOUT)
            .build();
    return EdgeServer.start(
        settings,
        new NodeRole.Primary(commands, idempotencyKeys, positions, revocations),
        new ReadSide(queries, new QuietFeeds(), status, revocations),
        meters,
        clock);
  }

  @Test
  void a_port_another_process_holds_is_named_in_the_failure() throws Exception {
    try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      EdgeSettings settings = TestEdgeSettings.node("node-b").port(held.getLocalPort()).build();

      assertThatThrownBy(
              () ->
                  EdgeServer.start(
                      settings,
                      new NodeRole.Primary(commands, idempotencyKeys, positions, revocations),
                      new ReadSide(queries, new QuietFeeds(), status, revocations),
                      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                      clock))
          .isInstanceOf(UncheckedIOException.class)
          .cause()
          .isInstanceOf(BindException.class)
          .hasMessageStartingWith(
              "cannot listen for HTTP on 127.0.0.1 port " + held.getLocalPort() + ":");
    }
  }

  // ---- sessions ----

  @Test
  void creates_an_anonymous_session_with_the_default_name() throws Exception {
    Reply reply = send("POST", "/api/v1/tenants/demo/sessions", BodyPublishers.noBody());

    assertThat(reply.status).isEqualTo(201);
    assertThat(reply.header("Content-Type")).isEqualTo(JSON);
    assertThat(reply.header("Cache-Control")).isEqualTo("no-store");
    assertThat(reply.json.get("sessionToken").textValue()).isNotBlank();
    assertThat(reply.json.get("sessionId").textValue()).matches("[A-Za-z0-9_-]{24}");
    assertThat(reply.json.get("expiresAt").textValue()).isEqualTo("2026-03-31T12:00:00Z");
    String sessionId = reply.json.get("sessionId").textValue();

    post(
        "/api/v1/tenants/demo/threads/t1/comments",
        "{\"text\":\"hi\"}",
        reply.json.get("sessionToken").textValue());
    assertThat(commands.calls.getFirst().arguments().get(2))
        .isEqualTo(Author.anonymous(sessionId, "Anonymous"));
  }

  @Test
  void creates_a_session_with_a_trimmed_display_name() throws Exception {
    Reply reply =
        postJson("/api/v1/tenants/demo/sessions", "{\"displayName\":\"  Ada L. \"}", null);

    assertThat(reply.status).isEqualTo(201);
    post(
        "/api/v1/tenants/demo/threads/t1/comments",
        "{\"text\":\"hi\"}",
        reply.json.get("sessionToken").textValue());
    assertThat(((Author) commands.calls.getFirst().arguments().get(2)).name()).isEqualTo("Ada L.");
  }

  @Test
  void signing_out_makes_the_session_token_refused_on_every_route() throws Exception {
    String token = session("demo", "Ada");

    Reply signedOut =
        send(
            "DELETE",
            "/api/v1/tenants/demo/sessions/current",
            null,
            "Authorization",
            "Bearer " + token);

    assertThat(signedOut.status).as(signedOut.body).isEqualTo(204);
    assertThat(signedOut.body).isEmpty();
    assertThat(revocations.isRevoked("demo", sessionIdOf(token))).isTrue();
    assertError(
        postJson("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"hi\"}", token),
        401,
        "session_revoked");
    assertError(get("/api/v1/tenants/demo/threads/t1/comments", token), 401, "session_revoked");
    assertError(
        send(
            "DELETE",
            "/api/v1/tenants/demo/sessions/current",
            null,
            "Authorization",
            "Bearer " + token),
        401,
        "session_revoked");
    assertThat(commands.calls).isEmpty();
    post("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"hi\"}", session("demo", "Ada"));
  }

  @Test
  void signing_out_needs_a_valid_session_of_the_tenant() throws Exception {
    assertError(
        send("DELETE", "/api/v1/tenants/demo/sessions/current", null), 401, "session_required");
    assertError(
        send(
            "DELETE",
            "/api/v1/tenants/demo/sessions/current",
            null,
            "Authorization",
            "Bearer " + session("other", "Ada")),
        401,
        "session_wrong_tenant");
  }

  @Test
  void a_sign_out_that_cannot_be_recorded_is_503_and_the_session_stays_valid() throws Exception {
    String token = session("demo", "Ada");
    revocations.unavailable = true;

    Reply refused =
        send(
            "DELETE",
            "/api/v1/tenants/demo/sessions/current",
            null,
            "Authorization",
            "Bearer " + token);

    assertError(refused, 503, "revocation_unavailable");
    assertThat(refused.header("Retry-After")).isEqualTo("1");
    post("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"hi\"}", token);
  }

  @Test
  void refuses_bad_display_names() throws Exception {
    assertError(
        postJson("/api/v1/tenants/demo/sessions", "{\"displayName\":\"   \"}", null),
        400,
        "invalid_field");
    assertError(
        postJson(
            "/api/v1/tenants/demo/sessions", "{\"displayName\":\"" + "x".repeat(65) + "\"}", null),
        400,
        "invalid_field");
    assertError(
        postJson("/api/v1/tenants/demo/sessions", "{\"displayName\":7}", null),
        400,
        "invalid_field");
    assertError(
        postJson("/api/v1/tenants/demo/sessions", "{\"name\":\"x\"}", null), 400, "unknown_field");
  }

  @Test
  void refuses_unknown_tenants_and_invalid_ids_in_the_path() throws Exception {
    assertError(
        send("POST", "/api/v1/tenants/nobody/sessions", BodyPublishers.noBody()),
        404,
        "tenant_not_found");
    assertError(
        send("POST", "/api/v1/tenants/Bad_Tenant/sessions", BodyPublishers.noBody()),
        400,
        "invalid_path");
    assertError(get("/api/v1/tenants/demo/threads/a%20b/comments", null), 400, "invalid_path");
    assertError(get("/api/v1/tenants/demo/threads/a%2Fb/comments", null), 400, "invalid_path");
  }

  // ---- writes ----

  @Test
  void posts_a_comment_as_the_session_and_answers_with_a_consistency_token() throws Exception {
    String token = session("demo", "Ada");

    Reply reply =
        postJson(
            "/api/v1/tenants/demo/threads/t1/comments",
            "{\"text\":\"hello\",\"parentId\":\"0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a69\"}",
            token);

    assertThat(reply.status).isEqualTo(201);
    assertThat(reply.json.get("commentId").textValue()).isEqualTo("c1");
    String consistency = reply.json.get("token").textValue();
    assertThat(reply.header("X-Consistency-Token")).isEqualTo(consistency);
    assertThat(
            new ConsistencyTokens(KeyRing.of(TestKeys.CONSISTENCY), clock)
                .decode(consistency, "demo"))
        .isEqualTo(new ConsistencyToken(T1, 1));
    RecordingCommands.Call call = commands.calls.getFirst();
    assertThat(call.command()).isEqualTo("post");
    assertThat(call.arguments().get(0)).isEqualTo(T1);
    assertThat(call.arguments().get(1)).isEqualTo("0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a69");
    assertThat(((Author) call.arguments().get(2)).name()).isEqualTo("Ada");
    assertThat(call.arguments().get(3)).isEqualTo("hello");
  }

  @Test
  void posts_a_comment_with_media_passing_their_ids_in_order() throws Exception {
    String token = session("demo", "Ada");

    Reply reply =
        postJson(
            "/api/v1/tenants/demo/threads/t1/comments",
            "{\"text\":\"look\",\"media\":[\"" + GIF + "\",\"" + PNG + "\"]}",
            token);

    assertThat(reply.status).isEqualTo(201);
    assertThat(commands.calls.getFirst().arguments()).last().isEqualTo(List.of(GIF, PNG));
  }

  @Test
  void posts_a_comment_naming_its_page_with_the_title_trimmed() throws Exception {
    String token = session("demo", "Ada");

    Reply reply =
        postJson(
            "/api/v1/tenants/demo/threads/t1/comments",
            "{\"text\":\"here\",\"page\":{\"url\":\"https://news.example.com/a\","
                + "\"title\":\" Launch \"}}",
            token);

    assertThat(reply.status).isEqualTo(201);
    assertThat(commands.calls.getFirst().arguments())
        .last()
        .isEqualTo(new HostPage("https://news.example.com/a", "Launch"));
  }

  @Test
  void refuses_a_bad_page_and_sends_nothing() throws Exception {
    String token = session("demo", "Ada");

    assertError(
        postJson(
            "/api/v1/tenants/demo/threads/t1/comments",
            "{\"text\":\"a\",\"page\":{\"url\":\"ftp://example.com/\"}}",
            token),
        400,
        "invalid_page");
    assertThat(commands.calls).isEmpty();
  }

  @Test
  void a_post_with_null_or_no_media_shows_none() throws Exception {
    String token = session("demo", "Ada");

    postJson("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"a\",\"media\":null}", token);
    postJson("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"b\",\"media\":[]}", token);

    assertThat(commands.calls).hasSize(2).allSatisfy(c -> assertThat(c.arguments()).hasSize(4));
  }

  @Test
  void refuses_bad_media_lists_precisely_and_sends_nothing() throws Exception {
    String token = session("demo", "Ada");
    String path = "/api/v1/tenants/demo/threads/t1/comments";

    assertError(
        postJson(path, "{\"text\":\"a\",\"media\":\"" + PNG + "\"}", token), 400, "invalid_field");
    assertError(postJson(path, "{\"text\":\"a\",\"media\":{}}", token), 400, "invalid_field");
    assertError(postJson(path, "{\"text\":\"a\",\"media\":[5]}", token), 400, "invalid_media_id");
    Reply malformed =
        postJson(path, "{\"text\":\"a\",\"media\":[\"" + PNG + "\",\"../<b>x</b>\"]}", token);
    assertError(malformed, 400, "invalid_media_id");
    assertThat(malformed.json.get("error").get("message").textValue())
        .contains("media[1]")
        .doesNotContain("<b>");
    assertError(
        postJson(
            path,
            "{\"text\":\"a\",\"media\":[\"" + PNG.toUpperCase(java.util.Locale.ROOT) + "\"]}",
            token),
        400,
        "invalid_media_id");
    assertError(
        postJson(path, "{\"text\":\"a\",\"media\":[\"" + PNG + "\",\"" + PNG + "\"]}", token),
        400,
        "duplicate_media");
    String five =
        String.join(
            ",",
            List.of(
                "\"" + "1".repeat(32) + "\"",
                "\"" + "2".repeat(32) + "\"",
                "\"" + "3".repeat(32) + "\"",
                "\"" + "4".repeat(32) + "\"",
                "\"" + "5".repeat(32) + "\""));
    assertError(
        postJson(path, "{\"text\":\"a\",\"media\":[" + five + "]}", token), 400, "too_many_media");
    assertThat(commands.calls).isEmpty();
  }

  @Test
  void answers_422_for_media_the_command_side_cannot_show() throws Exception {
    String token = session("demo", "Ada");
    String body = "{\"text\":\"a\",\"media\":[\"" + PNG + "\"]}";
    String path = "/api/v1/tenants/demo/threads/t1/comments";

    commands.failure = new CommandRejectedException(Rejection.UNKNOWN_MEDIA, "no media");
    assertError(postJson(path, body, token), 422, "unknown_media");
    commands.failure = new CommandRejectedException(Rejection.MEDIA_REMOVED, "removed");
    assertError(postJson(path, body, token), 422, "media_removed");
  }

  @Test
  void edits_deletes_votes_and_flags_as_the_session() throws Exception {
    String token = session("demo", "Ada");
    String sessionId = sessionIdOf(token);

    Reply edit =
        send(
            "PATCH",
            "/api/v1/tenants/demo/comments/c9",
            json("{\"text\":\"new\"}"),
            "Authorization",
            "Bearer " + token,
            "Content-Type",
            JSON);
    Reply delete =
        send(
            "DELETE",
            "/api/v1/tenants/demo/comments/c9",
            BodyPublishers.noBody(),
            "Authorization",
            "Bearer " + token);
    Reply vote =
        postJson("/api/v1/tenants/demo/comments/c9/vote", "{\"direction\":\"down\"}", token);
    Reply flag = postJson("/api/v1/tenants/demo/comments/c9/flag", "{\"reason\":\"spam\"}", token);

    for (Reply reply : List.of(edit, delete, vote, flag)) {
      assertThat(reply.status).isEqualTo(200);
      assertThat(reply.json.get("commentId").textValue()).isEqualTo("c9");
      assertThat(reply.header("X-Consistency-Token"))
          .isEqualTo(reply.json.get("token").textValue());
    }
    assertThat(commands.calls)
        .containsExactly(
            new RecordingCommands.Call("edit", List.of("demo", "c9", sessionId, "new")),
            new RecordingCommands.Call("delete", List.of("demo", "c9", sessionId)),
            new RecordingCommands.Call(
                "vote", List.of("demo", "c9", sessionId, VoteDirection.DOWN)),
            new RecordingCommands.Call("flag", List.of("demo", "c9", sessionId, "spam")));
  }

  @Test
  void
      an_edit_replaces_or_clears_the_media_it_names_keeps_them_otherwise_and_checks_them_as_a_post()
          throws Exception {
    String token = session("demo", "Ada");
    String sessionId = sessionIdOf(token);

    for (String body :
        List.of(
            "{\"text\":\"a\",\"media\":[\"" + PNG + "\"]}",
            "{\"text\":\"b\",\"media\":[]}",
            "{\"text\":\"c\",\"media\":null}",
            "{\"text\":\"d\"}")) {
      assertThat(patchJson("/api/v1/tenants/demo/comments/c9", body, token).status).isEqualTo(200);
    }
    assertThat(commands.calls)
        .extracting(RecordingCommands.Call::arguments)
        .containsExactly(
            List.of("demo", "c9", sessionId, "a", List.of(PNG)),
            List.of("demo", "c9", sessionId, "b", List.of()),
            List.of("demo", "c9", sessionId, "c"),
            List.of("demo", "c9", sessionId, "d"));

    commands.calls.clear();
    String path = "/api/v1/tenants/demo/comments/c9";
    assertError(patchJson(path, "{\"text\":\"a\",\"media\":{}}", token), 400, "invalid_field");
    assertError(patchJson(path, "{\"text\":\"a\",\"media\":[5]}", token), 400, "invalid_media_id");
    assertError(
        patchJson(path, "{\"text\":\"a\",\"media\":[\"" + PNG + "\",\"" + PNG + "\"]}", token),
        400,
        "duplicate_media");
    String five =
        String.join(
            ",",
            List.of("1", "2", "3", "4", "5").stream()
                .map(d -> "\"" + d.repeat(32) + "\"")
                .toList());
    assertError(
        patchJson(path, "{\"text\":\"a\",\"media\":[" + five + "]}", token), 400, "too_many_media");
    assertThat(commands.calls).isEmpty();
    commands.failure = new CommandRejectedException(Rejection.MEDIA_REMOVED, "removed");
    assertError(
        patchJson(path, "{\"text\":\"a\",\"media\":[\"" + PNG + "\"]}", token),
        422,
        "media_removed");
  }

  private Reply patchJson(String path, String body, String token) throws Exception {
    return send(
        "PATCH", path, json(body), "Authorization", "Bearer " + token, "Content-Type", JSON);
  }

  @Test
  void refuses_writes_without_a_valid_session_for_the_tenant() throws Exception {
    String path = "/api/v1/tenants/demo/threads/t1/comments";
    assertError(postJson(path, "{\"text\":\"x\"}", null), 401, "session_required");
    assertError(postJson(path, "{\"text\":\"x\"}", "garbage"), 401, "session_invalid");
    assertError(
        postJson(path, "{\"text\":\"x\"}", session("other", "Eve")), 401, "session_wrong_tenant");
    Reply basic =
        send(
            "POST",
            path,
            json("{\"text\":\"x\"}"),
            "Authorization",
            "Basic abc",
            "Content-Type",
            JSON);
    assertError(basic, 401, "session_invalid");
    assertThat(basic.header("WWW-Authenticate")).startsWith("Bearer");

    String expiring = session("demo", "Ada");
    clock.advance(Duration.ofDays(31));
    assertError(postJson(path, "{\"text\":\"x\"}", expiring), 401, "session_expired");

    assertThat(commands.calls).isEmpty();
  }

  @Test
  void maps_command_rejections_to_their_status_and_code() throws Exception {
    String token = session("demo", "Ada");
    commands.failure =
        new CommandRejectedException(Rejection.THREAD_LOCKED, "the thread is locked");

    Reply reply = postJson("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"x\"}", token);

    assertError(reply, 409, "thread_locked");
    assertThat(reply.json.get("error").get("message").textValue())
        .isEqualTo("the thread is locked");
    commands.failure = new CommandRejectedException(Rejection.NOT_AUTHOR, "not yours");
    assertError(
        postJson("/api/v1/tenants/demo/comments/c1/vote", "{\"direction\":\"up\"}", token),
        403,
        "not_author");
    commands.failure = new CommandRejectedException(Rejection.COMMENT_NOT_FOUND, "no c1");
    assertError(
        send(
            "DELETE",
            "/api/v1/tenants/demo/comments/c1",
            BodyPublishers.noBody(),
            "Authorization",
            "Bearer " + token),
        404,
        "comment_not_found");
    commands.failure = new CommandRejectedException(Rejection.TEXT_EMPTY, "empty");
    assertError(
        postJson("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"  \"}", token),
        400,
        "text_empty");
  }

  @Test
  void answers_unexpected_failures_with_500_and_no_internals() throws Exception {
    String token = session("demo", "Ada");
    commands.failure = new IllegalStateException("mongodb://admin:pw@db refused at Foo.java:12");

    Reply reply = postJson("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"x\"}", token);

    assertError(reply, 500, "internal");
    assertThat(reply.body)
        .doesNotContain("mongodb")
        .doesNotContain("Exception")
        .doesNotContain(".java");
  }

  @Test
  void locks_and_unlocks_threads_with_the_moderator_key_only() throws Exception {
    Reply lock =
        send(
            "POST",
            "/api/v1/tenants/demo/threads/t1/lock",
            BodyPublishers.noBody(),
            "Authorization",
            "Bearer " + MODERATOR_KEY);
    Reply unlock =
        send(
            "POST",
            "/api/v1/tenants/demo/threads/t1/unlock",
            BodyPublishers.noBody(),
            "Authorization",
            "Bearer " + MODERATOR_KEY);

    assertThat(lock.status).isEqualTo(200);
    assertThat(lock.json.fieldNames()).toIterable().containsExactly("token");
    assertThat(lock.header("X-Consistency-Token")).isEqualTo(lock.json.get("token").textValue());
    assertThat(unlock.status).isEqualTo(200);
    assertThat(commands.calls)
        .extracting(RecordingCommands.Call::command)
        .containsExactly("lock", "unlock");

    assertError(
        send("POST", "/api/v1/tenants/demo/threads/t1/lock", BodyPublishers.noBody()),
        401,
        "moderator_required");
    assertError(
        send(
            "POST",
            "/api/v1/tenants/demo/threads/t1/lock",
            BodyPublishers.noBody(),
            "Authorization",
            "Bearer " + MODERATOR_KEY + "x"),
        401,
        "moderator_required");
    assertError(
        send(
            "POST",
            "/api/v1/tenants/other/threads/t1/lock",
            BodyPublishers.noBody(),
            "Authorization",
            "Bearer " + MODERATOR_KEY),
        403,
        "moderator_wrong_tenant");
    assertError(
        send(
            "POST",
            "/api/v1/tenants/demo/threads/t1/lock",
            BodyPublishers.noBody(),
            "Authorization",
            "Bearer " + session("demo", "Ada")),
        401,
        "moderator_required");
    assertThat(commands.calls).hasSize(2);
  }

  // ---- bad bodies: each refused with its own code, nothing reaches the command side ----

  @Test
  void refuses_bad_bodies_precisely_and_stores_nothing() throws Exception {
    String token = session("demo", "Ada");
    String path = "/api/v1/tenants/demo/threads/t1/comments";

    assertError(postJson(path, "{\"text\":", token), 400, "malformed_json");
    assertError(postJson(path, "{\"text\":\"a\",\"text\":\"b\"}", token), 400, "duplicate_field");
    assertError(
        postJson(path, "{\"text\":\"a\",\"author\":\"admin\"}", token), 400, "unknown_field");
    assertError(postJson(path, "{\"text\":5}", token), 400, "invalid_field");
    assertError(postJson(path, "{\"text\":\"a\",\"parentId\":{}}", token), 400, "invalid_field");
    assertError(postJson(path, "{\"parentId\":null}", token), 400, "missing_field");
    assertError(postJson(path, "[]", token), 400, "invalid_body");
    assertError(
        postJson(path, "{\"a\":".repeat(100) + "1" + "}".repeat(100), token), 400, "json_too_deep");
    assertError(
        postJson("/api/v1/tenants/demo/comments/c1/vote", "{\"direction\":\"sideways\"}", token),
        400,
        "invalid_field");

    byte[] invalidUtf8 = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}'};
    Reply utf8 =
        send(
            "POST",
            path,
            BodyPublishers.ofByteArray(invalidUtf8),
            "Authorization",
            "Bearer " + token,
            "Content-Type",
            JSON);
    assertError(utf8, 400, "invalid_utf8");

    assertThat(commands.calls).isEmpty();
  }

  @Test
  void refuses_wrong_or_missing_content_types_with_415() throws Exception {
    String token = session("demo", "Ada");
    String path = "/api/v1/tenants/demo/threads/t1/comments";

    assertError(
        send("POST", path, json("{\"text\":\"x\"}"), "Authorization", "Bearer " + token),
        415,
        "unsupported_media_type");
    assertError(
        send(
            "POST",
            path,
            json("{\"text\":\"x\"}"),
            "Authorization",
            "Bearer " + token,
            "Content-Type",
            "text/plain"),
        415,
        "unsupported_media_type");
    assertError(
        send(
            "POST",
            path,
            json("{\"text\":\"x\"}"),
            "Authorization",
            "Bearer " + token,
            "Content-Type",
            "application/json; charset=latin1"),
        415,
        "unsupported_media_type");
    assertThat(
            send(
                    "POST",
                    path,
                    json("{\"text\":\"x\"}"),
                    "Authorization",
                    "Bearer " + token,
                    "Content-Type",
                    "application/json; charset=UTF-8")
                .status)
        .isEqualTo(201);
  }

  @Test
  void refuses_a_declared_body_over_64_kib_with_413() throws Exception {
    String token = session("demo", "Ada");
    byte[] body = new byte[100_000];
    java.util.Arrays.fill(body, (byte) 'a');

    Reply reply =
        send(
            "POST",
            "/api/v1/tenants/demo/threads/t1/comments",
            BodyPublishers.ofByteArray(body),
            "Authorization",
            "Bearer " + token,
            "Content-Type",
            JSON);

    assertError(reply, 413, "body_too_large");
    assertThat(reply.json.get("error").get("message").textValue()).contains("100000 bytes");
    assertThat(commands.calls).isEmpty();
  }

  @Test
  void refuses_a_chunked_body_over_64_kib_with_413() throws Exception {
    String token = session("demo", "Ada");
    byte[] body = ("{\"text\":\"" + "a".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8);

    Reply reply =
        send(
            "POST",
            "/api/v1/tenants/demo/threads/t1/comments",
            BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)),
            "Authorization",
            "Bearer " + token,
            "Content-Type",
            JSON);

    assertError(reply, 413, "body_too_large");
    assertThat(commands.calls).isEmpty();
  }

  @Test
  void takes_a_chunked_body_under_the_limit() throws Exception {
    String token = session("demo", "Ada");
    byte[] body = ("{\"text\":\"" + "a".repeat(60_000) + "\"}").getBytes(StandardCharsets.UTF_8);

    Reply reply =
        send(
            "POST",
            "/api/v1/tenants/demo/threads/t1/comments",
            BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)),
            "Authorization",
            "Bearer " + token,
            "Content-Type",
            JSON);

    assertThat(reply.status).isEqualTo(201);
  }

  @Test
  void trickled_bodies_hold_no_worker_and_are_cut_off_after_the_body_timeout() throws Exception {
    // Found in review: bodies were read with blocking reads on the workers, so a few clients that
    // sent headers and then trickled (or stopped) their bodies held every worker and every place.
    String token = session("demo", "Ada");
    String path = "/api/v1/tenants/demo/threads/t1/comments";
    List<Socket> stalled = new ArrayList<>();
    try {
      long clockReads = clock.reads();
      for (int i = 0; i < 6; i++) { // more than the 4 workers
        stalled.add(stalledPost(path, token));
      }
      // Wait until the server has read all their headers (and, before the fix, blocked on them):
      // it checks each session's expiry, one read of the clock, just before awaiting the body.
      await().atMost(Duration.ofSeconds(10)).until(() -> clock.reads() >= clockReads + 6);

      Reply served =
          sendWithin(
              Duration.ofSeconds(2),
              "POST",
              path,
              json("{\"text\":\"hi\"}"),
              "Content-Type",
              JSON,
              "Authorization",
              "Bearer " + token);

      assertThat(served.status).isEqualTo(201);
      assertThat(commands.calls).hasSize(1);
      long start = System.nanoTime();
      for (Socket socket : stalled) {
        assertThat(closedByServer(socket)).isTrue();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BODY_TIMEOUT);
      assertThat(commands.calls).hasSize(1);
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
  }

  // ---- reads ----

  @Test
  void reads_a_thread_page_in_the_contract_shape() throws Exception {
    Instant t = Instant.parse("2026-03-01T11:00:00Z");
    CommentView reply =
        new CommentView(
            "c2",
            "c1",
            Author.anonymous("s2", "Bob"),
            "re",
            t.plusSeconds(5),
            null,
            false,
            0,
            1,
            VoteDirection.NONE,
            List.of(),
            null,
            CommentStatus.APPROVED,
            false,
            List.of());
    CommentView deleted =
        new CommentView(
            "c1",
            null,
            null,
            null,
            t,
            t.plusSeconds(9),
            true,
            3,
            0,
            VoteDirection.UP,
            List.of(reply),
            null,
            CommentStatus.APPROVED,
            false,
            List.of());
    queries.pages.put(T1, new ThreadPage(List.of(deleted), "next-1", 7, true));

    status.lag = Duration.ofMillis(1_250);

    Reply page = get("/api/v1/tenants/demo/threads/t1/comments?sort=top&limit=5&cursor=abc", null);

    assertThat(page.status).isEqualTo(200);
    assertThat(page.header("X-Served-By")).isEqualTo("node-a");
    assertThat(page.header("X-Replica-Lag-Ms")).isEqualTo("1250");
    assertThat(page.header("X-Read-Preference")).isEqualTo("primary");
    JsonNode expected =
        MAPPER.readTree(
            """
            {"comments":[{"id":"c1","parentId":null,"author":null,"text":null,
              "postedAt":"2026-03-01T11:00:00Z","editedAt":"2026-03-01T11:00:09Z","deleted":true,
              "votes":{"up":3,"down":0},"status":"approved","pinned":false,"media":[],"myVote":"up",
              "replies":[{"id":"c2","parentId":"c1","author":{"id":"s2","name":"Bob"},"text":"re",
                "postedAt":"2026-03-01T11:00:05Z","editedAt":null,"deleted":false,
                "votes":{"up":0,"down":1},"status":"approved","pinned":false,"media":[],
                "myVote":"none","replies":[],
                "repliesNextCursor":null}],
              "repliesNextCursor":null}],
             "nextCursor":"next-1","locked":true}
            """);
    assertThat(page.json).isEqualTo(expected);
    RecordingQueries.Find find = queries.finds.getFirst();
    assertThat(find.query().sort()).isEqualTo(SortOrder.TOP);
    assertThat(find.query().limit()).isEqualTo(5);
    assertThat(find.query().cursor()).isEqualTo("abc");
    assertThat(find.query().viewerId()).isNull();
    assertThat(find.readPreference()).isEqualTo(ReadPreference.PRIMARY);
  }

  @Test
  void reads_a_page_showing_media_at_their_cdn_urls_with_a_tag_that_changes_with_them()
      throws Exception {
    Instant t = Instant.parse("2026-03-01T11:00:00Z");
    CommentMedia known = new CommentMedia("demo", PNG, "image/png", 640, 480);
    CommentMedia unknown = CommentMedia.idOnly("demo", GIF);
    queries.pages.put(T1, new ThreadPage(List.of(withMedia(t, known, unknown)), null, 3, false, 1));

    Reply first = get("/api/v1/tenants/demo/threads/t1/comments?readPreference=nearest", null);

    JsonNode media = first.json.get("comments").get(0).get("media");
    assertThat(media)
        .isEqualTo(
            MAPPER.readTree(
                """
                [{"mediaId":"%s","url":"/cdn/v1/demo/%s","contentType":"image/png",
                  "width":640,"height":480},
                 {"mediaId":"%s","url":"/cdn/v1/demo/%s"}]"""
                    .formatted(PNG, PNG, GIF, GIF)));

    // A moderator removed the GIF: same thread event, a newer catalogue, another tag.
    queries.pages.put(T1, new ThreadPage(List.of(withMedia(t, known)), null, 3, false, 2));
    queries.mediaVersion = 2;
    Reply second = get("/api/v1/tenants/demo/threads/t1/comments?readPreference=nearest", null);

    assertThat(second.json.get("comments").get(0).get("media")).hasSize(1);
    assertThat(second.header("ETag")).isNotEqualTo(first.header("ETag"));
    assertThat(second.header("ETag")).startsWith("\"3-");
  }

  private static CommentView withMedia(Instant t, CommentMedia... media) {
    return new CommentView(
        "c1",
        null,
        Author.anonymous("s1", "Ann"),
        "pictures",
        t,
        null,
        false,
        0,
        0,
        VoteDirection.NONE,
        List.of(),
        null,
        CommentStatus.APPROVED,
        false,
        List.of(media));
  }

  @Test
  void reads_with_defaults_nearest_preference_and_the_viewers_session() throws Exception {
    queries.pages.put(T1, new ThreadPage(List.of(), null, 0));
    String token = session("demo", "Ada");

    Reply page = get("/api/v1/tenants/demo/threads/t1/comments?readPreference=nearest", token);

    assertThat(page.status).isEqualTo(200);
    assertThat(page.json.get("nextCursor").isNull()).isTrue();
    assertThat(page.header("X-Read-Preference")).isEqualTo("nearest");
    RecordingQueries.Find find = queries.finds.getFirst();
    assertThat(find.readPreference()).isEqualTo(ReadPreference.NEAREST);
    assertThat(find.query().sort()).isEqualTo(SortOrder.NEWEST);
    assertThat(find.query().limit()).isEqualTo(20);
    assertThat(find.query().viewerId()).isEqualTo(sessionIdOf(token));
  }

  @Test
  void refuses_bad_read_parameters() throws Exception {
    queries.pages.put(T1, new ThreadPage(List.of(), null, 0));
    String path = "/api/v1/tenants/demo/threads/t1/comments";

    assertError(get(path + "?readPreference=secondary", null), 400, "invalid_read_preference");
    Reply sort = get(path + "?sort=best", null);
    assertError(sort, 400, "invalid_parameter");
    assertThat(sort.json.get("error").get("message").textValue()).contains("sort");
    Reply limit = get(path + "?limit=0", null);
    assertError(limit, 400, "invalid_parameter");
    assertThat(limit.json.get("error").get("message").textValue()).contains("limit");
    assertError(get(path + "?limit=101", null), 400, "invalid_parameter");
    assertError(get(path + "?limit=ten", null), 400, "invalid_parameter");
    assertError(get(path + "?sort=top&sort=newest", null), 400, "invalid_parameter");
    assertError(get(path, "forged.token.here"), 401, "session_invalid");
    queries.failure = new InvalidCursorException("cursor from elsewhere");
    assertError(get(path + "?cursor=zzz", null), 400, "invalid_cursor");
  }

  @Test
  void answers_404_for_an_unknown_thread() throws Exception {
    assertError(get("/api/v1/tenants/demo/threads/nope/comments", null), 404, "thread_not_found");
  }

  @Test
  void waits_for_the_readers_own_write_before_reading() throws Exception {
    queries.pages.put(T1, new ThreadPage(List.of(), null, 3));
    String token = session("demo", "Ada");
    String consistency =
        postJson("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"x\"}", token)
            .header("X-Consistency-Token");

    Reply viaHeader =
        send(
            "GET",
            "/api/v1/tenants/demo/threads/t1/comments",
            null,
            "X-Consistency-Token",
            consistency);
    Reply viaQuery =
        get(
            "/api/v1/tenants/demo/threads/t1/comments?readPreference=nearest&consistencyToken="
                + consistency,
            null);

    assertThat(viaHeader.status).isEqualTo(200);
    assertThat(viaHeader.header("X-Consistency")).isEqualTo("reached");
    assertThat(viaQuery.status).isEqualTo(200);
    assertThat(queries.awaits)
        .containsExactly(
            new RecordingQueries.Await(T1, 1, Duration.ofSeconds(2), ReadPreference.PRIMARY),
            new RecordingQueries.Await(T1, 1, Duration.ofSeconds(2), ReadPreference.NEAREST));

    queries.awaitReaches = false;
    assertThat(
            send(
                    "GET",
                    "/api/v1/tenants/demo/threads/t1/comments?readPreference=nearest",
                    null,
                    "X-Consistency-Token",
                    consistency)
                .header("X-Consistency"))
        .isEqualTo("timed_out");
  }

  @Test
  void a_primary_read_waits_until_the_projection_holds_the_last_stored_event() throws Exception {
    queries.pages.put(T1, new ThreadPage(List.of(), null, 0));
    positions.seqs.put(T1, 7L);
    String path = "/api/v1/tenants/demo/threads/t1/comments";

    Reply page = get(path, null);

    assertThat(page.status).isEqualTo(200);
    assertThat(page.header("X-Consistency")).isEqualTo("reached");
    assertThat(queries.awaits)
        .containsExactly(
            new RecordingQueries.Await(T1, 7, Duration.ofSeconds(2), ReadPreference.PRIMARY));

    queries.awaitReaches = false;
    Reply behind = get(path, null);
    assertError(behind, 503, "projection_behind");
    assertThat(behind.header("Retry-After")).isEqualTo("1");
    assertThat(behind.header("X-Read-Preference")).isEqualTo("primary");

    // nearest answers from the projection at once, without asking where the stream stands.
    positions.asked.clear();
    assertThat(get(path + "?readPreference=nearest", null).status).isEqualTo(200);
    assertThat(positions.asked).isEmpty();
  }

  @Test
  void refuses_forged_and_foreign_consistency_tokens() throws Exception {
    queries.pages.put(T1, new ThreadPage(List.of(), null, 3));
    queries.pages.put(new ThreadId("other", "t1"), new ThreadPage(List.of(), null, 3));
    String token = session("demo", "Ada");
    String consistency =
        postJson("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"x\"}", token)
            .header("X-Consistency-Token");

    assertError(
        send(
            "GET",
            "/api/v1/tenants/demo/threads/t1/comments",
            null,
            "X-Consistency-Token",
            "abc.def"),
        400,
        "invalid_consistency_token");
    assertError(
        send(
            "GET",
            "/api/v1/tenants/other/threads/t1/comments",
            null,
            "X-Consistency-Token",
            consistency),
        400,
        "consistency_token_wrong_tenant");
    assertThat(queries.awaits).isEmpty();
  }

  @Test
  void error_answers_keep_the_node_and_read_preference_but_no_other_header() throws Exception {
    // Found in review: ErrorMapping cleared every header, X-Served-By included.
    String token = session("demo", "Ada");
    Reply written = postJson("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"x\"}", token);
    assertThat(written.header("X-Served-By")).isEqualTo("node-a");

    // The wait for the token sets X-Consistency, then the thread is not found.
    Reply missing =
        send(
            "GET",
            "/api/v1/tenants/demo/threads/t1/comments?readPreference=nearest",
            null,
            "X-Consistency-Token",
            written.header("X-Consistency-Token"));

    assertError(missing, 404, "thread_not_found");
    assertThat(missing.header("X-Served-By")).isEqualTo("node-a");
    assertThat(missing.header("X-Replica-Lag-Ms")).isEqualTo("0");
    assertThat(missing.header("X-Read-Preference")).isEqualTo("nearest");
    assertThat(missing.header("X-Consistency")).isNull();
    Reply unauthorized =
        postJson("/api/v1/tenants/demo/threads/t1/comments", "{\"text\":\"x\"}", null);
    assertError(unauthorized, 401, "session_required");
    assertThat(unauthorized.header("X-Served-By")).isEqualTo("node-a");
    assertThat(unauthorized.header("X-Read-Preference")).isNull();
    assertThat(get("/nope", null).header("X-Served-By")).isEqualTo("node-a");
  }

  // ---- routing ----

  @Test
  void answers_unknown_routes_with_404_and_wrong_methods_with_405() throws Exception {
    assertError(get("/nope", null), 404, "not_found");
    assertError(get("/api/v1/tenants/demo/threads/t1", null), 404, "not_found");

    Reply put =
        send("PUT", "/api/v1/tenants/demo/threads/t1/comments", json("{}"), "Content-Type", JSON);
    assertError(put, 405, "method_not_allowed");
    assertThat(put.header("Allow")).isEqualTo("GET, POST");
    assertThat(send("GET", "/api/v1/tenants/demo/comments/c1", null).header("Allow"))
        .isEqualTo("PATCH, DELETE");
  }

  // ---- operations ----

  @Test
  void reports_liveness_readiness_and_metrics() throws Exception {
    Reply live = get("/health/live", null);
    assertThat(live.status).isEqualTo(200);
    assertThat(live.json.get("status").textValue()).isEqualTo("up");

    status.caughtUp = false;
    status.lagEvents = 42;
    status.lag = Duration.ofMillis(1500);
    Reply notReady = get("/health/ready", null);
    assertThat(notReady.status).isEqualTo(503);
    assertThat(notReady.json.get("lagEvents").longValue()).isEqualTo(42);
    assertThat(notReady.json.get("lagMs").longValue()).isEqualTo(1500);
    status.caughtUp = true;
    status.lagEvents = 0;
    assertThat(get("/health/ready", null).status).isEqualTo(200);

    queries.pages.put(T1, new ThreadPage(List.of(), null, 0));
    queries.delay = Duration.ofMillis(150);
    assertThat(get("/api/v1/tenants/demo/threads/t1/comments", null).status).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              Reply metrics = get("/metrics", null);
              assertThat(metrics.status).isEqualTo(200);
              assertThat(metrics.header("Content-Type"))
                  .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
              assertThat(metrics.body)
                  .contains("http_server_requests_seconds_bucket{")
                  .contains("route=\"/api/v1/tenants/{tenant}/threads/{thread}/comments\"")
                  .contains("read_preference=\"primary\"")
                  .contains(
                      "http_server_requests_slow_total{route=\"/api/v1/tenants/{tenant}/threads/{thread}/comments\"} 1")
                  .doesNotContain("route=\"/api/v1/tenants/demo");
            });
  }

  @Test
  void answers_readiness_while_every_worker_is_busy() throws Exception {
    // Found in review: /health/ready waited for a worker like any API request.
    server.close();
    server = start(1);
    String token = session("demo", "Ada");
    commands.gate = new CountDownLatch(1);
    CompletableFuture<Reply> held;
    try {
      held = sendAsync("/api/v1/tenants/demo/threads/t1/comments", token);
      await().atMost(Duration.ofSeconds(10)).until(() -> commands.entered.get() == 1);

      Reply ready = sendWithin(Duration.ofSeconds(2), "GET", "/health/ready", null);

      assertThat(ready.status).isEqualTo(200);
      assertThat(ready.json.get("status").textValue()).isEqualTo("ready");
    } finally {
      commands.gate.countDown();
    }
    assertThat(held.join().status).isEqualTo(201);
  }

  @Test
  void turns_away_scrapes_beyond_their_own_small_limit_and_keeps_serving_the_api()
      throws Exception {
    // Found in review: /metrics bypassed every limit on the shared worker pool.
    String token = session("demo", "Ada");
    CountDownLatch scrapeGate = new CountDownLatch(1);
    Gauge.builder("test.scrape.gate", scrapeGate, EdgeServerTest::waitFor).register(meters);
    int extra = 3;
    List<CompletableFuture<Reply>> scrapes = new ArrayList<>();
    try {
      for (int i = 0; i < EdgeRoutes.METRICS_RUNNING + EdgeRoutes.METRICS_QUEUED + extra; i++) {
        scrapes.add(
            client
                .sendAsync(request("GET", "/metrics", null), BodyHandlers.ofString())
                .thenApply(Reply::of));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> scrapes.stream().filter(CompletableFuture::isDone).count() == extra);

      Reply post =
          sendWithin(
              Duration.ofSeconds(5),
              "POST",
              "/api/v1/tenants/demo/threads/t1/comments",
              json("{\"text\":\"x\"}"),
              "Content-Type",
              JSON,
              "Authorization",
              "Bearer " + token);
      assertThat(post.status).isEqualTo(201);
    } finally {
      scrapeGate.countDown();
    }

    List<Reply> done = scrapes.stream().map(CompletableFuture::join).toList();
    List<Reply> shed = done.stream().filter(r -> r.status == 503).toList();
    assertThat(shed).hasSize(extra);
    assertThat(shed)
        .allSatisfy(
            r -> {
              assertError(r, 503, "overloaded");
              assertThat(r.header("Retry-After")).isEqualTo("1");
            });
    assertThat(done.stream().filter(r -> r.status == 200))
        .hasSize(EdgeRoutes.METRICS_RUNNING + EdgeRoutes.METRICS_QUEUED);
  }

  // ---- load ----

  @Test
  void sheds_load_with_503_once_the_queue_is_full_and_serves_the_rest() throws Exception {
    server.close();
    server = start(1);
    String token = session("demo", "Ada");
    commands.gate = new CountDownLatch(1);
    String path = "/api/v1/tenants/demo/threads/t1/comments";
    List<CompletableFuture<Reply>> replies = new ArrayList<>();
    replies.add(sendAsync(path, token));
    await().atMost(Duration.ofSeconds(10)).until(() -> commands.entered.get() == 1);

    int queue = EdgeSettings.QUEUED_REQUESTS_PER_WORKER;
    int extra = 20;
    for (int i = 0; i < queue + extra; i++) {
      replies.add(sendAsync(path, token));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> replies.stream().filter(CompletableFuture::isDone).count() == extra);
    commands.gate.countDown();

    List<Reply> done = replies.stream().map(CompletableFuture::join).toList();
    List<Reply> shed = done.stream().filter(r -> r.status == 503).toList();
    assertThat(shed).hasSize(extra);
    assertThat(shed)
        .allSatisfy(
            r -> {
              assertThat(r.json.get("error").get("code").textValue()).isEqualTo("overloaded");
              assertThat(r.header("Retry-After")).isEqualTo("1");
              assertThat(r.header("X-Served-By")).isEqualTo("node-a");
            });
    assertThat(done.stream().filter(r -> r.status == 201)).hasSize(queue + 1);
    assertThat(commands.calls).hasSize(queue + 1);
  }

  // ---- helpers ----

  private String session(String tenant, String name) throws Exception {
    Reply reply =
        postJson(
            "/api/v1/tenants/" + tenant + "/sessions", "{\"displayName\":\"" + name + "\"}", null);
    assertThat(reply.status).isEqualTo(201);
    return reply.json.get("sessionToken").textValue();
  }

  private static String sessionIdOf(String token) throws Exception {
    byte[] claims = java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]);
    return MAPPER.readTree(claims).get("sub").textValue();
  }

  private Reply post(String path, String body, String token) throws Exception {
    Reply reply = postJson(path, body, token);
    assertThat(reply.status).isEqualTo(201);
    return reply;
  }

  private Reply postJson(String path, String body, String token) throws Exception {
    List<String> headers = new ArrayList<>(List.of("Content-Type", JSON));
    if (token != null) {
      headers.addAll(List.of("Authorization", "Bearer " + token));
    }
    return send("POST", path, json(body), headers.toArray(String[]::new));
  }

  private Reply get(String path, String token) throws Exception {
    return token == null
        ? send("GET", path, null)
        : send("GET", path, null, "Authorization", "Bearer " + token);
  }

  private CompletableFuture<Reply> sendAsync(String path, String token) {
    HttpRequest request =
        request(
            "POST",
            path,
            json("{\"text\":\"x\"}"),
            "Content-Type",
            JSON,
            "Authorization",
            "Bearer " + token);
    return client.sendAsync(request, BodyHandlers.ofString()).thenApply(Reply::of);
  }

  private Reply send(String method, String path, BodyPublisher body, String... headers)
      throws Exception {
    return Reply.of(client.send(request(method, path, body, headers), BodyHandlers.ofString()));
  }

  /** A POST whose headers promise a body of 20 bytes, of which it sends 8 and then nothing. */
  private Socket stalledPost(String path, String token) throws Exception {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
    socket.setSoTimeout((int) BODY_TIMEOUT.multipliedBy(3).toMillis());
    String request =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Authorization: Bearer "
            + token
            + "\r\nContent-Length: 20\r\n\r\n{\"text\":";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  /** Whether the server closed the connection without answering (a read timeout fails instead). */
  private static boolean closedByServer(Socket socket) throws Exception {
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  private static double waitFor(CountDownLatch gate) {
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 1;
  }

  private Reply sendWithin(
      Duration timeout, String method, String path, BodyPublisher body, String... headers)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(request(method, path, body, headers), (name, value) -> true)
            .timeout(timeout)
            .build();
    return Reply.of(client.send(request, BodyHandlers.ofString()));
  }

  private HttpRequest request(String method, String path, BodyPublisher body, String... headers) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, body == null ? BodyPublishers.noBody() : body);
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder.build();
  }

  private static BodyPublisher json(String body) {
    return BodyPublishers.ofString(body, StandardCharsets.UTF_8);
  }

  private static void assertError(Reply reply, int status, String code) {
    assertThat(reply.status).as(reply.body).isEqualTo(status);
    assertThat(reply.header("Content-Type")).isEqualTo(JSON);
    assertThat(reply.json.fieldNames()).toIterable().containsExactly("error");
    assertThat(reply.json.get("error").fieldNames())
        .toIterable()
        .containsExactly("code", "message");
    assertThat(reply.json.get("error").get("code").textValue()).isEqualTo(code);
    assertThat(reply.json.get("error").get("message").textValue()).isNotBlank();
  }

  private record Reply(int status, HttpResponse<String> response, String body, JsonNode json) {
    static Reply of(HttpResponse<String> response) {
      JsonNode json;
      try {
        json = MAPPER.readTree(response.body());
      } catch (Exception e) {
        json = null;
      }
      return new Reply(response.statusCode(), response, response.body(), json);
    }

    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }
  }
}
