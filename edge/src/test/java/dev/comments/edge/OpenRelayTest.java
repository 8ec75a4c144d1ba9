package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.comments.edge.testing.EdgePair;
import dev.comments.edge.testing.RawHttp;
import dev.comments.events.ThreadId;
import dev.comments.events.query.ThreadPage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A replica must not be an open relay: a request line that names another host, or a path that could
 * be read as one, is refused before routing and never leaves the node. A stranger's HTTP server
 * stands ready to take (and answer) whatever a replica would wrongly send it.
 */
class OpenRelayTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String BODY = "{\"text\":\"relayed?\"}";

  private final List<String> strangerSaw = new CopyOnWriteArrayList<>();
  private EdgePair edges;
  private HttpServer stranger;
  private String authority;

  @BeforeEach
  void start() throws IOException {
    edges = EdgePair.start(Map.of("demo", new TenantSettings(EdgePair.MODERATOR_KEY)));
    stranger = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    stranger.createContext(
        "/",
        exchange -> {
          strangerSaw.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] answer = "{\"commentId\":\"stolen\"}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(201, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    stranger.start();
    authority = "127.0.0.1:" + stranger.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    stranger.stop(0);
    edges.close();
  }

  @Test
  void a_replica_refuses_an_absolute_url_in_the_request_line_and_sends_nothing_to_its_host()
      throws Exception {
    // Found in review: the replica resolved the request URI against the primary's URL, and an
    // absolute URI wins, so the caller's bearer token went to whatever host the line named.
    String token = session();

    RawHttp.Reply reply =
        RawHttp.send(
            edges.replica.port(),
            post("http://" + authority + "/api/v1/tenants/demo/threads/x/comments", token));

    assertError(reply, 400, "absolute_form_target");
    assertThat(strangerSaw).isEmpty();
    assertThat(edges.commands.calls).isEmpty();
    assertThat(edges.requestsAtPrimary()).isZero();
  }

  @ParameterizedTest
  @CsvSource({
    "//AUTHORITY/api/v1/tenants/demo/threads/x/comments, authority_form_target",
    "/api/v1/tenants/demo/threads/y/../x/comments, invalid_path",
    "/api/v1/tenants/demo/threads/./x/comments, invalid_path",
    "/api/v1/tenants/demo/threads/x%2F..%2F..%2Fy/comments, invalid_path",
    "/api/v1/tenants/demo/threads/x%2fy/comments, invalid_path",
    "/api/v1/tenants/demo/threads/x//comments, invalid_path",
    "/api/v1/tenants/demo/threads/x/comments/, invalid_path",
    "/api/v1/tenants/demo/threads/x;jsessionid=1/comments, invalid_path",
    "http://AUTHORITY//api/v1/tenants/demo/threads/x/comments, absolute_form_target",
    "HTTP://AUTHORITY/api/v1/tenants/demo/threads/x/comments, absolute_form_target",
  })
  void a_replica_refuses_every_odd_request_target_before_routing(String target, String code)
      throws Exception {
    String token = session();

    RawHttp.Reply reply =
        RawHttp.send(edges.replica.port(), post(target.replace("AUTHORITY", authority), token));

    assertError(reply, 400, code);
    assertThat(strangerSaw).isEmpty();
    assertThat(edges.requestsAtPrimary()).isZero();
  }

  @ParameterizedTest
  @CsvSource({
    "/api/v1/tenants/demo/threads/x\\..\\y/comments",
    "/api/v1/tenants/demo/threads/\u00e9/comments",
    "/api/v1/tenants/demo/threads/x y/comments",
  })
  void a_target_that_is_not_even_http_is_refused_by_the_server_and_goes_nowhere(String target)
      throws Exception {
    String token = session();

    RawHttp.Reply reply = RawHttp.send(edges.replica.port(), post(target, token));

    // Refused by Undertow's parser before any handler: a bare 400, which cannot carry our body.
    assertThat(reply.status()).isEqualTo(400);
    assertThat(strangerSaw).isEmpty();
    assertThat(edges.requestsAtPrimary()).isZero();
  }

  @Test
  void every_route_refuses_an_absolute_form_target_on_the_primary_too() throws Exception {
    for (String path :
        List.of(
            "/health/live",
            "/health/ready",
            "/metrics",
            "/api/v1/tenants/demo/sessions",
            "/api/v1/tenants/demo/threads/x/comments",
            "/internal/v1/tenants/demo/threads/x/position")) {
      RawHttp.Reply reply =
          RawHttp.send(
              edges.primary.port(),
              "GET http://"
                  + authority
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + authority
                  + "\r\nConnection: close\r\n\r\n");

      assertError(reply, 400, "absolute_form_target");
    }
    assertThat(strangerSaw).isEmpty();
  }

  @Test
  void a_forwarded_request_reaches_the_primary_at_its_routes_path_and_query() throws Exception {
    String token = session();

    RawHttp.Reply posted =
        RawHttp.send(edges.replica.port(), post("/api/v1/tenants/demo/threads/x/comments", token));

    assertThat(posted.status()).as(posted.body()).isEqualTo(201);
    assertThat(posted.header("X-Forwarded-To")).isEqualTo("primary-1");
    assertThat(edges.commands.calls).hasSize(1);
    assertThat(edges.commands.calls.getFirst().arguments().getFirst())
        .isEqualTo(new ThreadId("demo", "x"));

    ThreadId thread = new ThreadId("demo", "y");
    edges.primaryQueries.pages.put(thread, new ThreadPage(List.of(), null, 0));
    edges.replicaStatus.stale = true;
    RawHttp.Reply read =
        RawHttp.send(
            edges.replica.port(),
            "GET /api/v1/tenants/demo/threads/y/comments?sort=oldest&limit=5 HTTP/1.1\r\n"
                + "Host: replica\r\nConnection: close\r\n\r\n");

    assertThat(read.status()).as(read.body()).isEqualTo(200);
    assertThat(read.header("X-Forwarded-To")).isEqualTo("primary-1");
    assertThat(edges.primaryQueries.finds).hasSize(1);
    assertThat(edges.primaryQueries.finds.getFirst().query().threadId()).isEqualTo(thread);
    assertThat(strangerSaw).isEmpty();
  }

  private String post(String target, String token) {
    return "POST "
        + target
        + " HTTP/1.1\r\nHost: "
        + authority
        + "\r\nAuthorization: Bearer "
        + token
        + "\r\nContent-Type: application/json\r\nContent-Length: "
        + BODY.length()
        + "\r\nConnection: close\r\n\r\n"
        + BODY;
  }

  private String session() throws Exception {
    RawHttp.Reply created =
        RawHttp.send(
            edges.replica.port(),
            "POST /api/v1/tenants/demo/sessions HTTP/1.1\r\nHost: replica\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return MAPPER.readTree(created.body()).get("sessionToken").textValue();
  }

  static void assertError(RawHttp.Reply reply, int status, String code) throws Exception {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.header("Content-Type")).isEqualTo("application/json");
    assertThat(MAPPER.readTree(reply.body()).path("error").path("code").textValue())
        .as(reply.body())
        .isEqualTo(code);
  }
}
