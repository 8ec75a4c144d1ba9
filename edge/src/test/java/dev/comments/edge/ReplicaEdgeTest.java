package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.testing.FakeProjectionStatus;
import dev.comments.edge.testing.FixedPositions;
import dev.comments.edge.testing.InMemoryIdempotencyKeys;
import dev.comments.edge.testing.InMemoryRevocations;
import dev.comments.edge.testing.MutableClock;
import dev.comments.edge.testing.QuietFeeds;
import dev.comments.edge.testing.RecordingCommands;
import dev.comments.edge.testing.RecordingQueries;
import dev.comments.edge.testing.TestEdgeSettings;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.query.ThreadPage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replica's edge in front of a primary's edge, both real Undertow servers on loopback, with
 * recording stand-ins for the command and query sides behind them: commands travel to the primary,
 * reads the replica cannot prove fresh go there too, and a primary that is gone is a quick 503.
 */
class ReplicaEdgeTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ThreadId T1 = new ThreadId("demo", "t1");
  private static final String THREAD = "/api/v1/tenants/demo/threads/t1/comments";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final RecordingCommands commands = new RecordingCommands();
  private final InMemoryIdempotencyKeys keys = new InMemoryIdempotencyKeys();
  private final FixedPositions positions = new FixedPositions();
  private final InMemoryRevocations revocations = new InMemoryRevocations();
  private final RecordingQueries primaryQueries = new RecordingQueries();
  private final RecordingQueries replicaQueries = new RecordingQueries();
  private final FakeProjectionStatus replicaStatus = new FakeProjectionStatus();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private EdgeServer primary;
  private EdgeServer replica;

  @BeforeEach
  void start() {
    primary =
        EdgeServer.start(
            settings("primary-1"),
            new NodeRole.Primary(commands, keys, positions, revocations),
            new ReadSide(primaryQueries, new QuietFeeds(), new FakeProjectionStatus(), revocations),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            clock);
    // A long timeout: a primary that is gone must be noticed without waiting for it.
    replica =
        EdgeServer.start(
            settings("replica-1"),
            new NodeRole.Replica(
                URI.create("http://127.0.0.1:" + primary.port()), Duration.ofSeconds(30)),
            new ReadSide(replicaQueries, new QuietFeeds(), replicaStatus, revocations),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            clock);
  }

  @AfterEach
  void stop() {
    replica.close();
    primary.close();
    client.close();
  }

  private static EdgeSettings settings(String nodeId) {
    return TestEdgeSettings.node(nodeId).consistencyWait(Duration.ofMillis(300)).build();
  }

  @Test
  void a_command_to_a_replica_runs_on_the_primary_and_its_answer_comes_back() throws Exception {
    String session = session();

    HttpResponse<String> posted = postComment(session, "hello", null);

    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
    assertThat(commands.calls).hasSize(1);
    assertThat(posted.headers().firstValue("X-Served-By")).hasValue("replica-1");
    assertThat(posted.headers().firstValue("X-Forwarded-To")).hasValue("primary-1");
    JsonNode body = MAPPER.readTree(posted.body());
    assertThat(posted.headers().firstValue("X-Consistency-Token"))
        .hasValue(body.get("token").textValue());
    // The replica made a key for the hop, and the primary remembered the answer under it.
    assertThat(keys.entries).hasSize(1);
  }

  @Test
  void a_retry_with_the_same_key_through_a_replica_applies_once() throws Exception {
    String session = session();

    HttpResponse<String> first = postComment(session, "once", "key-1");
    HttpResponse<String> retry = postComment(session, "once", "key-1");
    HttpResponse<String> reused = postComment(session, "something else", "key-1");

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(commands.calls).hasSize(1);
    assertError(reused, 422, "idempotency_key_reused");
  }

  @Test
  void a_command_whose_outcome_is_unknown_is_retried_under_the_key_the_replica_made()
      throws Exception {
    String session = session();
    // The primary sent the command, then failed: it may have been stored.
    commands.failureAfter = new IllegalStateException("timed out after the write");
    HttpResponse<String> failed = postComment(session, "once", null);
    commands.failureAfter = null;

    assertError(failed, 500, "internal");
    String key = failed.headers().firstValue("Idempotency-Key").orElseThrow();
    HttpResponse<String> retry = postComment(session, "once", key);

    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.headers().firstValue("Idempotency-Key")).hasValue(key);
    // Both attempts reached the command side under one key, for the thread to settle the second.
    assertThat(commands.calls)
        .extracting(RecordingCommands.Call::key)
        .hasSize(2)
        .containsOnly(commands.calls.getFirst().key())
        .allSatisfy(k -> assertThat(k).endsWith("/" + key));
  }

  @Test
  void a_replica_checks_the_caller_itself_before_crossing_to_the_primary() throws Exception {
    HttpResponse<String> anonymous = postComment(null, "hi", null);
    HttpResponse<String> badKey = postComment(session(), "hi", "not a key!");

    assertError(anonymous, 401, "session_required");
    assertError(badKey, 400, "invalid_idempotency_key");
    assertThat(commands.calls).isEmpty();
  }

  @Test
  void an_edit_s_media_are_checked_on_the_replica_before_the_trip_and_forwarded_when_well_formed()
      throws Exception {
    String session = session();
    String png = "3f9a0c2e7b6d41e58a1f0d2c9b8e7a61";

    HttpResponse<String> duplicate =
        editComment(session, "{\"text\":\"x\",\"media\":[\"" + png + "\",\"" + png + "\"]}");
    HttpResponse<String> malformed = editComment(session, "{\"text\":\"x\",\"media\":[5]}");
    assertError(duplicate, 400, "duplicate_media");
    assertError(malformed, 400, "invalid_media_id");
    assertThat(duplicate.headers().firstValue("X-Forwarded-To")).isEmpty();
    assertThat(malformed.headers().firstValue("X-Forwarded-To")).isEmpty();
    assertThat(commands.calls).isEmpty();

    HttpResponse<String> replaced =
        editComment(session, "{\"text\":\"x\",\"media\":[\"" + png + "\"]}");
    HttpResponse<String> kept = editComment(session, "{\"text\":\"y\"}");
    assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
    assertThat(replaced.headers().firstValue("X-Forwarded-To")).hasValue("primary-1");
    assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
    assertThat(commands.calls)
        .extracting(RecordingCommands.Call::arguments)
        .containsExactly(
            List.of("demo", "c9", sessionIdOf(session), "x", List.of(png)),
            List.of("demo", "c9", sessionIdOf(session), "y"));
  }

  @Test
  void with_the_primary_gone_a_command_is_refused_at_once_with_its_key() throws Exception {
    String session = session();
    primary.close();

    long started = System.nanoTime();
    HttpResponse<String> refused = postComment(session, "hello", null);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertError(refused, 503, "primary_unavailable");
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(refused.headers().firstValue("Idempotency-Key")).isPresent();
    // Far below the 30 s forwarding timeout: a refused connection is not waited on.
    assertThat(took).isLessThan(Duration.ofSeconds(10));
    // Reads from the replica's own projection go on.
    replicaQueries.pages.put(T1, new ThreadPage(List.of(), null, 0));
    assertThat(get(THREAD + "?readPreference=nearest", Map.of()).statusCode()).isEqualTo(200);
    assertError(get(THREAD, Map.of()), 503, "primary_unavailable");
  }

  @Test
  void a_primary_read_is_served_locally_once_the_projection_holds_the_primarys_position()
      throws Exception {
    replicaQueries.pages.put(T1, new ThreadPage(List.of(), null, 0));
    primaryQueries.pages.put(T1, new ThreadPage(List.of(), null, 0));
    positions.seqs.put(T1, 5L);

    HttpResponse<String> local = get(THREAD, Map.of());

    assertThat(local.statusCode()).isEqualTo(200);
    assertThat(local.headers().firstValue("X-Forwarded-To")).isEmpty();
    assertThat(replicaQueries.awaits)
        .containsExactly(
            new RecordingQueries.Await(T1, 5, Duration.ofMillis(300), ReadPreference.PRIMARY));
    assertThat(primaryQueries.finds).isEmpty();

    replicaQueries.awaitReaches = false;
    HttpResponse<String> forwarded = get(THREAD, Map.of());

    assertThat(forwarded.statusCode()).isEqualTo(200);
    assertThat(forwarded.headers().firstValue("X-Served-By")).hasValue("replica-1");
    assertThat(forwarded.headers().firstValue("X-Forwarded-To")).hasValue("primary-1");
    assertThat(primaryQueries.finds).hasSize(1);
  }

  @Test
  void a_replica_that_lost_the_log_forwards_primary_reads_without_waiting() throws Exception {
    primaryQueries.pages.put(T1, new ThreadPage(List.of(), null, 0));
    replicaStatus.stale = true;

    HttpResponse<String> forwarded = get(THREAD, Map.of());

    assertThat(forwarded.statusCode()).isEqualTo(200);
    assertThat(forwarded.headers().firstValue("X-Forwarded-To")).hasValue("primary-1");
    assertThat(replicaQueries.awaits).isEmpty();
  }

  @Test
  void a_token_the_replica_has_not_reached_is_waited_for_then_read_from_the_primary()
      throws Exception {
    String session = session();
    String token =
        postComment(session, "mine", null)
            .headers()
            .firstValue("X-Consistency-Token")
            .orElseThrow();
    replicaQueries.pages.put(T1, new ThreadPage(List.of(), null, 0));
    primaryQueries.pages.put(T1, new ThreadPage(List.of(), null, 0));
    replicaQueries.awaitReaches = false;

    HttpResponse<String> read =
        get(THREAD + "?readPreference=nearest", Map.of("X-Consistency-Token", token));

    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.headers().firstValue("X-Forwarded-To")).hasValue("primary-1");
    assertThat(replicaQueries.awaits).hasSize(1);
    assertError(
        get(THREAD + "?readPreference=nearest", Map.of("X-Consistency-Token", token + "x")),
        400,
        "invalid_consistency_token");
  }

  @Test
  void a_sign_out_through_the_replica_is_recorded_by_the_primary_and_refused_on_both()
      throws Exception {
    String session = session();

    HttpResponse<String> signedOut =
        client.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + replica.port()
                            + "/api/v1/tenants/demo/sessions/current"))
                .header("Authorization", "Bearer " + session)
                .DELETE()
                .build(),
            BodyHandlers.ofString());

    assertThat(signedOut.statusCode()).as(signedOut.body()).isEqualTo(204);
    assertThat(signedOut.headers().firstValue("X-Forwarded-To")).hasValue("primary-1");
    assertError(postComment(session, "after sign-out", null), 401, "session_revoked");
    assertThat(commands.calls).isEmpty();
  }

  @Test
  void the_position_route_is_for_the_nodes_of_the_deployment_only() throws Exception {
    HttpResponse<String> stranger =
        client.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + primary.port()
                            + "/internal/v1/tenants/demo/threads/t1/position"))
                .header("X-Cluster-Key", "guess")
                .build(),
            BodyHandlers.ofString());

    assertError(stranger, 401, "invalid_cluster_key");
  }

  private String session() throws Exception {
    HttpResponse<String> created =
        client.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + replica.port() + "/api/v1/tenants/demo/sessions"))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"displayName\":\"Ada\"}"))
                .build(),
            BodyHandlers.ofString());
    assertThat(created.statusCode()).isEqualTo(201);
    return MAPPER.readTree(created.body()).get("sessionToken").textValue();
  }

  private HttpResponse<String> postComment(String session, String text, String key)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port() + THREAD))
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString("{\"text\":\"" + text + "\"}"));
    if (session != null) {
      request.header("Authorization", "Bearer " + session);
    }
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return client.send(request.build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> editComment(String session, String json) throws Exception {
    return client.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + replica.port() + "/api/v1/tenants/demo/comments/c9"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + session)
            .method("PATCH", BodyPublishers.ofString(json))
            .build(),
        BodyHandlers.ofString());
  }

  /** The session id a token names: its subject, which comments carry as their author's id. */
  private static String sessionIdOf(String token) throws Exception {
    return MAPPER
        .readTree(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]))
        .get("sub")
        .textValue();
  }

  private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port() + path));
    headers.forEach(request::header);
    return client.send(request.build(), BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> reply, int status, String code)
      throws Exception {
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(status);
    assertThat(MAPPER.readTree(reply.body()).get("error").get("code").textValue()).isEqualTo(code);
  }
}
