package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import dev.comments.edge.testing.FakeProjectionStatus;
import dev.comments.edge.testing.FixedPositions;
import dev.comments.edge.testing.InMemoryIdempotencyKeys;
import dev.comments.edge.testing.InMemoryRevocations;
import dev.comments.edge.testing.MutableClock;
import dev.comments.edge.testing.QuietFeeds;
import dev.comments.edge.testing.RecordingCommands;
import dev.comments.edge.testing.RecordingQueries;
import dev.comments.edge.testing.TestEdgeSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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

/** The Idempotency-Key protocol on the write routes, on a real Undertow with stand-in ports. */
class IdempotencyKeyTest {
  private static final String MODERATOR_KEY = "demo-moderator-key-0001";
  private static final String POSTS = "/api/v1/tenants/demo/threads/t1/comments";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final RecordingCommands commands = new RecordingCommands();
  private final InMemoryIdempotencyKeys keys = new InMemoryIdempotencyKeys();
  private final InMemoryRevocations revocations = new InMemoryRevocations();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private EdgeServer server;
  private String ann;

  @BeforeEach
  void start() throws Exception {
    EdgeSettings settings =
        TestEdgeSettings.node("node-a")
            .tenants(Map.of("demo", new TenantSettings(MODERATOR_KEY)))
            .bodyTimeout(Duration.ofSeconds(5))
            .build();
    server =
        EdgeServer.start(
            settings,
            new NodeRole.Primary(commands, keys, new FixedPositions(), revocations),
            new ReadSide(
                new RecordingQueries(), new QuietFeeds(), new FakeProjectionStatus(), revocations),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            new MutableClock(Instant.parse("2026-03-01T12:00:00Z")));
    ann = session();
  }

  @AfterEach
  void stop() {
    server.close();
    client.close();
  }

  @Test
  void a_retry_with_the_same_key_is_applied_once_and_gets_the_same_answer() throws Exception {
    Reply first = post(ann, "k-1", "{\"text\":\"hello\"}");
    Reply retry = post(ann, "k-1", "{\"text\":\"hello\"}");

    assertThat(first.status).isEqualTo(201);
    assertThat(first.header("Idempotent-Replayed")).isNull();
    assertThat(retry.status).isEqualTo(201);
    assertThat(retry.body).isEqualTo(first.body);
    assertThat(retry.header("X-Consistency-Token"))
        .isEqualTo(first.header("X-Consistency-Token"))
        .isEqualTo(first.json.get("token").textValue());
    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.header("Content-Type")).isEqualTo("application/json");
    assertThat(retry.header("X-Served-By")).isEqualTo("node-a");
    assertThat(commands.calls).hasSize(1);
  }

  @Test
  void the_same_request_reformatted_is_still_the_same_request() throws Exception {
    post(ann, "k-1", "{\"text\":\"hi\",\"parentId\":\"0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a69\"}");
    Reply retry =
        post(
            ann,
            "k-1",
            "{ \"parentId\" : \"0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a69\",\n \"text\":\"hi\" }");

    assertThat(retry.status).isEqualTo(201);
    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(commands.calls).hasSize(1);
  }

  @Test
  void the_same_key_on_a_different_request_is_refused_with_422() throws Exception {
    post(ann, "k-1", "{\"text\":\"hello\"}");

    assertError(post(ann, "k-1", "{\"text\":\"bye\"}"), 422, "idempotency_key_reused");
    assertError(
        send(
            "POST",
            "/api/v1/tenants/demo/comments/c1/vote",
            "{\"direction\":\"up\"}",
            "Bearer " + ann,
            "k-1"),
        422,
        "idempotency_key_reused");
    assertThat(commands.calls).hasSize(1);
  }

  @Test
  void refuses_invalid_keys_with_400_before_running_anything() throws Exception {
    for (String bad : List.of("has space", "a/b", "k!", "x".repeat(129), "k,k")) {
      assertError(post(ann, bad, "{\"text\":\"hello\"}"), 400, "invalid_idempotency_key");
    }
    assertThat(post(ann, "A-z_0.9:" + "x".repeat(120), "{\"text\":\"hi\"}").status).isEqualTo(201);
    assertThat(commands.calls).hasSize(1);
  }

  @Test
  void sessions_with_the_same_key_are_independent() throws Exception {
    String ben = session();

    Reply annReply = post(ann, "shared", "{\"text\":\"from ann\"}");
    Reply benReply = post(ben, "shared", "{\"text\":\"from ben\"}");

    assertThat(annReply.status).isEqualTo(201);
    assertThat(benReply.status).isEqualTo(201);
    assertThat(benReply.header("Idempotent-Replayed")).isNull();
    assertThat(benReply.json.get("commentId")).isNotEqualTo(annReply.json.get("commentId"));
    assertThat(commands.calls).hasSize(2);
  }

  @Test
  void without_a_key_every_request_runs_and_nothing_is_stored() throws Exception {
    Reply first = post(ann, null, "{\"text\":\"hello\"}");
    Reply second = post(ann, null, "{\"text\":\"hello\"}");

    assertThat(first.status).isEqualTo(201);
    assertThat(second.status).isEqualTo(201);
    assertThat(second.header("Idempotent-Replayed")).isNull();
    assertThat(commands.calls)
        .hasSize(2)
        .extracting(RecordingCommands.Call::key)
        .containsOnlyNulls();
    assertThat(keys.entries).isEmpty();
  }

  @Test
  void a_business_rejection_is_remembered_and_replayed() throws Exception {
    commands.failure = new CommandRejectedException(Rejection.THREAD_LOCKED, "locked");
    Reply first = post(ann, "k-1", "{\"text\":\"hello\"}");
    commands.failure = null;
    Reply retry = post(ann, "k-1", "{\"text\":\"hello\"}");

    assertError(first, 409, "thread_locked");
    assertError(retry, 409, "thread_locked");
    assertThat(retry.body).isEqualTo(first.body);
    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(commands.calls).isEmpty();
  }

  @Test
  void a_failure_after_the_command_was_sent_leaves_the_key_in_doubt_not_free() throws Exception {
    // The command reached the command side, then the answer was lost: it may have been applied.
    commands.failureAfter = new IllegalStateException("timed out after the write");
    assertError(post(ann, "k-1", "{\"text\":\"hello\"}"), 500, "internal");
    commands.failureAfter = null;

    assertError(post(ann, "k-1", "{\"text\":\"bye\"}"), 422, "idempotency_key_reused");
    Reply retry = post(ann, "k-1", "{\"text\":\"hello\"}");

    assertThat(retry.status).isEqualTo(201);
    // The retry goes to the command side under the same key, for the thread to settle it; the
    // stand-in behind this edge settles nothing, so it shows both sends.
    assertThat(commands.calls).hasSize(2);
    assertThat(commands.calls)
        .extracting(RecordingCommands.Call::key)
        .containsOnly(commands.calls.getFirst().key())
        .doesNotContainNull();
    assertThat(post(ann, "k-1", "{\"text\":\"hello\"}").header("Idempotent-Replayed"))
        .isEqualTo("true");
    assertThat(commands.calls).hasSize(2);
  }

  @Test
  void a_failure_before_the_command_ran_is_in_doubt_too_and_its_retry_runs_once() throws Exception {
    commands.failure = new IllegalStateException("store down");
    assertError(post(ann, "k-1", "{\"text\":\"hello\"}"), 500, "internal");
    commands.failure = null;

    Reply retry = post(ann, "k-1", "{\"text\":\"hello\"}");

    assertThat(retry.status).isEqualTo(201);
    assertThat(retry.header("Idempotent-Replayed")).isNull();
    assertThat(commands.calls).hasSize(1);
    assertThat(commands.calls.getFirst().key()).endsWith("/k-1");
  }

  @Test
  void bad_input_is_forgotten_so_the_key_can_carry_the_corrected_request() throws Exception {
    assertError(post(ann, "k-1", "{\"txt\":\"hello\"}"), 400, "unknown_field");

    assertThat(post(ann, "k-1", "{\"text\":\"hello\"}").status).isEqualTo(201);
  }

  @Test
  void a_retry_while_the_first_still_runs_is_told_so_at_once() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    commands.gate = gate;
    CompletableFuture<HttpResponse<String>> first =
        client.sendAsync(
            request("POST", POSTS, "{\"text\":\"x\"}", "Bearer " + ann, "k-1"),
            BodyHandlers.ofString());
    await().until(() -> commands.entered.get() == 1);

    Reply retry = post(ann, "k-1", "{\"text\":\"x\"}");
    gate.countDown();

    assertError(retry, 409, "idempotency_key_in_flight");
    assertThat(retry.header("Retry-After")).isEqualTo("1");
    assertThat(first.get().statusCode()).isEqualTo(201);
    assertThat(commands.entered.get()).isEqualTo(1);
  }

  @Test
  void moderator_commands_replay_too() throws Exception {
    Reply lock =
        send("POST", "/api/v1/tenants/demo/threads/t1/lock", null, "Bearer " + MODERATOR_KEY, "m");
    Reply retry =
        send("POST", "/api/v1/tenants/demo/threads/t1/lock", null, "Bearer " + MODERATOR_KEY, "m");

    assertThat(lock.status).isEqualTo(200);
    assertThat(retry.body).isEqualTo(lock.body);
    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(commands.calls).hasSize(1);
    assertError(
        send(
            "POST", "/api/v1/tenants/demo/threads/t1/unlock", null, "Bearer " + MODERATOR_KEY, "m"),
        422,
        "idempotency_key_reused");
  }

  // ---- helpers ----

  private String session() throws Exception {
    Reply reply = send("POST", "/api/v1/tenants/demo/sessions", "{}", null, null);
    assertThat(reply.status).isEqualTo(201);
    return reply.json.get("sessionToken").textValue();
  }

  private Reply post(String session, String key, String body) throws Exception {
    return send("POST", POSTS, body, "Bearer " + session, key);
  }

  private Reply send(String method, String path, String body, String authorization, String key)
      throws Exception {
    return Reply.of(
        client.send(request(method, path, body, authorization, key), BodyHandlers.ofString()));
  }

  private HttpRequest request(
      String method, String path, String body, String authorization, String key) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? BodyPublishers.noBody()
                    : BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    List<String> headers = new ArrayList<>();
    if (body != null) {
      headers.addAll(List.of("Content-Type", "application/json"));
    }
    if (authorization != null) {
      headers.addAll(List.of("Authorization", authorization));
    }
    if (key != null) {
      headers.addAll(List.of("Idempotency-Key", key));
    }
    for (int i = 0; i < headers.size(); i += 2) {
      builder.header(headers.get(i), headers.get(i + 1));
    }
    return builder.build();
  }

  private static void assertError(Reply reply, int status, String code) {
    assertThat(reply.status).as(reply.body).isEqualTo(status);
    assertThat(reply.json.get("error").get("code").textValue()).isEqualTo(code);
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
