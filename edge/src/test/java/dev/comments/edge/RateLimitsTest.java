package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.abuse.RateLimits;
import dev.comments.edge.primary.ClusterKey;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.testing.EdgePair;
import dev.comments.edge.testing.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The limits against abuse on real edges: each trips with its code and a {@code Retry-After}, each
 * tenant has its own, a tenant with limits off has none, a replica refuses before crossing to the
 * primary, and the primary counts the client a replica names, but only a replica.
 */
class RateLimitsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String C1 =
      "/api/v1/tenants/demo/comments/0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a69";
  private static final String C2 =
      "/api/v1/tenants/demo/comments/0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a70";

  /** Small limits, so that each trips within a few requests. */
  private static final RateLimits SMALL =
      RateLimits.DEFAULTS.with(
          Map.of(
              "sessions-per-ip", "3/1m",
              "posts-per-session", "2/1m",
              "posts-per-ip", "3/1m",
              "votes-per-session", "3/1m",
              "flags-per-session", "2/10m",
              "max-links", "2"));

  private final EdgePair edges =
      EdgePair.start(
          Map.of(
              "demo", new TenantSettings(EdgePair.MODERATOR_KEY, SMALL),
              "roomy", new TenantSettings("roomy-moderator-key-01", RateLimits.DEFAULTS),
              "free", new TenantSettings("free-moderator-key-001", RateLimits.OFF)));
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stop() {
    client.close();
    edges.close();
  }

  @Test
  void sessions_per_address_trip_with_429_and_retry_after_and_refill_with_time() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(createSession(primary(), "demo", Map.of()).statusCode()).isEqualTo(201);
    }

    HttpResponse<String> refused = createSession(primary(), "demo", Map.of());

    assertError(refused, 429, "rate_limited");
    // Three a minute: the next one is 20 s away.
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("20");
    assertThat(createSession(primary(), "roomy", Map.of()).statusCode()).isEqualTo(201);
    edges.clock.advance(Duration.ofSeconds(20));
    assertThat(createSession(primary(), "demo", Map.of()).statusCode()).isEqualTo(201);
  }

  @Test
  void posts_trip_per_session_and_then_per_address() throws Exception {
    String ada = session(primary(), "demo");
    String bob = session(primary(), "demo");
    assertThat(postComment(primary(), ada, "t1", "one", null).statusCode()).isEqualTo(201);
    assertThat(postComment(primary(), ada, "t1", "two", null).statusCode()).isEqualTo(201);

    HttpResponse<String> third = postComment(primary(), ada, "t1", "three", null);

    assertError(third, 429, "rate_limited");
    assertThat(third.headers().firstValue("Retry-After")).hasValue("30");
    assertThat(message(third)).contains("session");
    // The address has taken 3 posts (the refused one counts): its bucket is empty for Bob too.
    HttpResponse<String> fromBob = postComment(primary(), bob, "t1", "four", null);
    assertError(fromBob, 429, "rate_limited");
    assertThat(message(fromBob)).contains("address");
    assertThat(edges.commands.calls).hasSize(2);
  }

  @Test
  void votes_and_flags_trip_per_session() throws Exception {
    String ada = session(primary(), "demo");
    for (int i = 0; i < 3; i++) {
      assertThat(send(primary(), C1 + "/vote", "{\"direction\":\"up\"}", ada).statusCode())
          .isEqualTo(200);
    }
    HttpResponse<String> vote = send(primary(), C1 + "/vote", "{\"direction\":\"up\"}", ada);
    assertError(vote, 429, "rate_limited");
    assertThat(vote.headers().firstValue("Retry-After")).hasValue("20");

    for (int i = 0; i < 2; i++) {
      assertThat(send(primary(), C1 + "/flag", "{\"reason\":\"spam\"}", ada).statusCode())
          .isEqualTo(200);
    }
    HttpResponse<String> flag = send(primary(), C1 + "/flag", "{\"reason\":\"spam\"}", ada);
    assertError(flag, 429, "rate_limited");
    assertThat(flag.headers().firstValue("Retry-After")).hasValue("300");
  }

  @Test
  void the_same_text_again_is_refused_unless_it_is_a_retry_with_the_same_key() throws Exception {
    // Tenant roomy has the default limits: a window of 10 minutes, posts enough.
    String ada = session(primary(), "roomy");
    assertThat(postComment(primary(), ada, "t1", "Buy  now", "k-1", "roomy").statusCode())
        .isEqualTo(201);

    HttpResponse<String> retry = postComment(primary(), ada, "t1", "Buy  now", "k-1", "roomy");
    HttpResponse<String> again = postComment(primary(), ada, "t1", "buy now ", "k-2", "roomy");
    HttpResponse<String> elsewhere = postComment(primary(), ada, "t2", "Buy now", null, "roomy");

    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertError(again, 429, "duplicate_text");
    assertThat(again.headers().firstValue("Retry-After")).hasValue("600");
    assertThat(elsewhere.statusCode()).isEqualTo(201);
    edges.clock.advance(Duration.ofMinutes(10));
    assertThat(postComment(primary(), ada, "t1", "Buy now", null, "roomy").statusCode())
        .isEqualTo(201);
    assertThat(edges.commands.calls).hasSize(3);
  }

  @Test
  void the_same_text_from_a_fresh_session_of_the_same_address_is_refused_too() throws Exception {
    String first = session(primary(), "roomy");
    assertThat(postComment(primary(), first, "t1", "spam", null, "roomy").statusCode())
        .isEqualTo(201);

    String fresh = session(primary(), "roomy");
    HttpResponse<String> again = postComment(primary(), fresh, "t1", "spam", null, "roomy");

    assertError(again, 429, "duplicate_text");
    assertThat(edges.commands.calls).hasSize(1);
  }

  @Test
  void a_comment_with_more_links_than_the_tenant_allows_is_refused() throws Exception {
    String ada = session(primary(), "demo");
    String two = "see https://a.example and www.b.example";
    String three = two + " and http://c.example/x";

    assertThat(postComment(primary(), ada, "t1", two, null).statusCode()).isEqualTo(201);
    assertError(postComment(primary(), ada, "t1", three, null), 400, "too_many_links");
    String edited = MAPPER.writeValueAsString(Map.of("text", three));
    assertError(patch(primary(), C1, edited, session(primary(), "demo")), 400, "too_many_links");
    assertThat(edges.commands.calls).hasSize(1);
  }

  @Test
  void a_fresh_session_of_the_same_address_does_not_vote_twice_on_a_comment() throws Exception {
    String ada = session(primary(), "demo");
    String sock = session(primary(), "demo");
    assertThat(send(primary(), C1 + "/vote", "{\"direction\":\"up\"}", ada).statusCode())
        .isEqualTo(200);

    HttpResponse<String> stuffed = send(primary(), C1 + "/vote", "{\"direction\":\"up\"}", sock);

    assertError(stuffed, 429, "vote_stuffing");
    assertThat(stuffed.headers().firstValue("Retry-After")).hasValue("3600");
    // The first voter may change its mind; the other may vote elsewhere or take nothing back.
    assertThat(send(primary(), C1 + "/vote", "{\"direction\":\"down\"}", ada).statusCode())
        .isEqualTo(200);
    assertThat(send(primary(), C2 + "/vote", "{\"direction\":\"up\"}", sock).statusCode())
        .isEqualTo(200);
    assertThat(send(primary(), C1 + "/vote", "{\"direction\":\"none\"}", sock).statusCode())
        .isEqualTo(200);
    assertThat(edges.commands.calls).hasSize(4);
  }

  @Test
  void a_tenant_with_limits_off_is_never_refused() throws Exception {
    String token = null;
    for (int i = 0; i < 40; i++) {
      HttpResponse<String> created = createSession(primary(), "free", Map.of());
      assertThat(created.statusCode()).isEqualTo(201);
      token = MAPPER.readTree(created.body()).get("sessionToken").textValue();
    }
    String links = "http://a.example ".repeat(20);
    for (int i = 0; i < 30; i++) {
      assertThat(postComment(primary(), token, "t1", links, null, "free").statusCode())
          .isEqualTo(201);
    }
  }

  @Test
  void a_replica_refuses_over_its_limits_before_crossing_to_the_primary() throws Exception {
    String ada = session(replica(), "demo");
    assertThat(postComment(replica(), ada, "t1", "one", null).statusCode()).isEqualTo(201);
    assertThat(postComment(replica(), ada, "t1", "two", null).statusCode()).isEqualTo(201);
    String bob = session(replica(), "roomy");
    assertThat(postComment(replica(), bob, "t1", "one", null, "roomy").statusCode()).isEqualTo(201);
    String fresh = session(replica(), "roomy");
    assertThat(edges.requestsAtPrimary()).isEqualTo(3);
    long atPrimary = edges.requestsAtPrimary();

    HttpResponse<String> third = postComment(replica(), ada, "t1", "three", null);
    HttpResponse<String> repeated = postComment(replica(), fresh, "t1", "one", null, "roomy");

    assertError(third, 429, "rate_limited");
    assertThat(third.headers().firstValue("X-Forwarded-To")).isEmpty();
    assertError(repeated, 429, "duplicate_text");
    assertThat(edges.requestsAtPrimary()).isEqualTo(atPrimary);
    assertThat(edges.commands.calls).hasSize(3);
  }

  @Test
  void the_primary_counts_the_client_a_replica_names_and_no_one_elses() throws Exception {
    String key = ClusterKey.headerOf(KeyRing.of(TestKeys.CLUSTER));
    for (int i = 0; i < 3; i++) {
      Map<String, String> viaReplica =
          Map.of("X-Cluster-Key", key, "X-Forwarded-For", "203.0.113.5");
      assertThat(createSession(primary(), "demo", viaReplica).statusCode()).isEqualTo(201);
    }
    assertError(
        createSession(
            primary(), "demo", Map.of("X-Cluster-Key", key, "X-Forwarded-For", "203.0.113.5")),
        429,
        "rate_limited");
    // Another client behind the same replica has its own bucket; so does this test's address.
    assertThat(
            createSession(
                    primary(),
                    "demo",
                    Map.of("X-Cluster-Key", key, "X-Forwarded-For", "203.0.113.6"))
                .statusCode())
        .isEqualTo(201);
    for (int i = 0; i < 3; i++) {
      Map<String, String> forged = Map.of("X-Forwarded-For", "198.51.100." + i);
      assertThat(createSession(primary(), "demo", forged).statusCode()).isEqualTo(201);
    }
    // Without the cluster key the header is the client's own word: ignored.
    assertError(
        createSession(primary(), "demo", Map.of("X-Forwarded-For", "198.51.100.99")),
        429,
        "rate_limited");
    assertError(
        createSession(
            primary(),
            "demo",
            Map.of("X-Cluster-Key", "guess", "X-Forwarded-For", "198.51.100.98")),
        429,
        "rate_limited");
  }

  private int primary() {
    return edges.primary.port();
  }

  private int replica() {
    return edges.replica.port();
  }

  private String session(int port, String tenant) throws Exception {
    HttpResponse<String> created = createSession(port, tenant, Map.of());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return MAPPER.readTree(created.body()).get("sessionToken").textValue();
  }

  private HttpResponse<String> createSession(int port, String tenant, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/tenants/" + tenant + "/sessions"))
            .POST(BodyPublishers.noBody());
    headers.forEach(request::header);
    return client.send(request.build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> postComment(
      int port, String token, String thread, String text, String key) throws Exception {
    return postComment(port, token, thread, text, key, "demo");
  }

  private HttpResponse<String> postComment(
      int port, String token, String thread, String text, String key, String tenant)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + port
                        + "/api/v1/tenants/"
                        + tenant
                        + "/threads/"
                        + thread
                        + "/comments"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(BodyPublishers.ofString(MAPPER.writeValueAsString(Map.of("text", text))));
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return client.send(request.build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> send(int port, String path, String body, String token)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(BodyPublishers.ofString(body))
            .build(),
        BodyHandlers.ofString());
  }

  private HttpResponse<String> patch(int port, String path, String body, String token)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .method("PATCH", BodyPublishers.ofString(body))
            .build(),
        BodyHandlers.ofString());
  }

  private static String message(HttpResponse<String> reply) throws Exception {
    return MAPPER.readTree(reply.body()).path("error").path("message").textValue();
  }

  private static void assertError(HttpResponse<String> reply, int status, String code)
      throws Exception {
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(status);
    assertThat(MAPPER.readTree(reply.body()).path("error").path("code").textValue())
        .isEqualTo(code);
  }
}
