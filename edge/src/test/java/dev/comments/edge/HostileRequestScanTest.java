package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.primary.PrimaryLink;
import dev.comments.edge.testing.EdgePair;
import dev.comments.edge.testing.RawHttp;
import dev.comments.edge.widget.WidgetAssets;
import dev.comments.events.ThreadId;
import dev.comments.events.query.ThreadPage;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every route of the routing table, on a primary and on a replica, against a list of hostile
 * requests: malformed and oversized bodies, wrong methods, absolute-form targets, bad ids, bad
 * query parameters and bad headers. None may get a 5xx or an error without a JSON {@code code}, and
 * nothing the replica refuses may cross to the primary.
 */
class HostileRequestScanTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String COMMENT_ID = "0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a69";
  private static final ThreadId T1 = new ThreadId("demo", "t1");
  private static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");

  /**
   * A hostile request for a method and a concrete path. Some never reach a handler: the server's
   * own parser refuses them with a bare 400 (an absolute URL whose host is not the Host header, a
   * broken percent-escape); those must still be 400 and go nowhere.
   */
  private record Hostile(
      String name, BiFunction<String, String, String> request, boolean refusedByParser) {
    Hostile(String name, BiFunction<String, String, String> request) {
      this(name, request, false);
    }
  }

  private EdgePair edges;
  private String token;

  @BeforeEach
  void start() throws Exception {
    edges = EdgePair.start(Map.of("demo", new TenantSettings(EdgePair.MODERATOR_KEY)));
    RawHttp.Reply created =
        RawHttp.send(
            edges.replica.port(),
            "POST /api/v1/tenants/demo/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n");
    token = MAPPER.readTree(created.body()).get("sessionToken").textValue();
    // Reads of an existing thread: a hostile request that is still a valid read is answered.
    ThreadPage empty = new ThreadPage(List.of(), null, 0);
    edges.primaryQueries.pages.put(T1, empty);
    edges.replicaQueries.pages.put(T1, empty);
  }

  @AfterEach
  void stop() {
    edges.close();
  }

  @Test
  void no_hostile_request_on_any_route_gets_a_5xx_or_leaves_the_replica() throws Exception {
    List<String> routes = routes();
    assertThat(routes).hasSizeGreaterThanOrEqualTo(11);
    SoftAssertions softly = new SoftAssertions();
    int sent = 0;
    for (String template : routes) {
      String path = concrete(template);
      for (String method : METHODS) {
        for (Hostile hostile : hostiles(method, path)) {
          for (boolean replica : new boolean[] {false, true}) {
            int port = replica ? edges.replica.port() : edges.primary.port();
            int crossedBefore = edges.link.crossed.size();
            String raw = hostile.request().apply(method, path);
            sent++;
            String what =
                (replica ? "replica " : "primary ") + hostile.name() + ": " + firstLine(raw);
            RawHttp.Reply reply;
            try {
              reply = RawHttp.send(port, raw);
            } catch (IOException e) {
              softly.fail(what + " got no answer: " + e.getMessage());
              continue;
            }
            softly.assertThat(reply.status()).as(what + " -> " + reply.body()).isLessThan(500);
            if (hostile.refusedByParser()) {
              softly.assertThat(reply.status()).as(what).isEqualTo(400);
              softly.assertThat(edges.link.crossed).as(what).hasSize(crossedBefore);
            } else if (reply.status() >= 400) {
              softly.assertThat(code(reply)).as(what + " -> " + reply.body()).isNotBlank();
              if (replica) {
                // A primary read may ask the primary where the thread stands before it finds
                // nothing here: that question carries nothing of the client's request.
                softly
                    .assertThat(
                        edges.link.crossed.subList(crossedBefore, edges.link.crossed.size()))
                    .as(what + " was refused, yet crossed to the primary")
                    .allMatch(crossed -> crossed.startsWith("GET /internal/v1/"));
              }
            }
          }
        }
      }
    }
    softly.assertAll();
    assertThat(sent).isGreaterThan(500);
    // A DELETE takes no body and no query: with a valid session it is a valid delete whatever
    // else came with it. Nothing hostile ever posted, edited, voted or flagged.
    assertThat(edges.commands.calls)
        .allSatisfy(call -> assertThat(call.command()).isEqualTo("delete"));
  }

  /** The route templates of {@link EdgeRoutes} and the routes beside them. */
  private static List<String> routes() throws IllegalAccessException {
    List<String> routes = new ArrayList<>(List.of("/health/live", "/health/ready", "/metrics"));
    for (Field field : EdgeRoutes.class.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers())
          && field.getType() == String.class
          && field.get(null) instanceof String value
          && value.startsWith("/")) {
        routes.add(value);
      }
    }
    routes.add(PrimaryLink.POSITION_PATH);
    return routes;
  }

  private static String concrete(String template) {
    return template
        .replace("{tenant}", "demo")
        .replace("{thread}", "t1")
        .replace("{commentId}", COMMENT_ID)
        .replace("{userId}", "someone-else-0001")
        .replace("{moderatorId}", "someModerator01")
        .replace("{mediaId}", "m-0001")
        .replace("{asset}", WidgetAssets.LOADER)
        .replace("{seq}", "0")
        .replace("{name}", "threads");
  }

  private List<Hostile> hostiles(String method, String path) {
    String bearer = "Authorization: Bearer " + token + "\r\n";
    String json = "Content-Type: application/json\r\n";
    List<Hostile> list = new ArrayList<>();
    list.add(new Hostile("malformed JSON", (m, p) -> request(m, p, bearer + json, "{\"text\":")));
    list.add(new Hostile("JSON array", (m, p) -> request(m, p, bearer + json, "[1,2]")));
    list.add(
        new Hostile(
            "deep JSON",
            (m, p) -> request(m, p, bearer + json, "[".repeat(5_000) + "]".repeat(5_000))));
    list.add(
        new Hostile(
            "invalid UTF-8",
            (m, p) -> request(m, p, bearer + json, "{\"text\":\"\u00c3\u0028\"}")));
    list.add(
        new Hostile(
            "declared huge body",
            (m, p) ->
                head(m, p, bearer + json + "Content-Length: 100000000\r\n") + "{\"text\":\"x"));
    list.add(
        new Hostile(
            "real oversized body",
            // Kept alive: the server then reads and drops the rest of what it refused, instead of
            // closing on unread bytes (a reset that could swallow its answer).
            (m, p) ->
                request(m, p, bearer + json, "{\"text\":\"" + "x".repeat(70_000) + "\"}")
                    .replace("Connection: close\r\n", "")));
    list.add(
        new Hostile(
            "absolute-form target",
            (m, p) -> request(m, "http://node.example" + p, bearer + json, "{}")));
    list.add(
        new Hostile(
            "absolute-form target naming another host",
            (m, p) -> request(m, "http://169.254.169.254:80" + p, bearer + json, "{}"),
            true));
    list.add(
        new Hostile(
            "authority-form target",
            (m, p) -> request(m, "//169.254.169.254" + p, bearer + json, "{}")));
    list.add(
        new Hostile(
            "dot segments",
            (m, p) -> request(m, p.replace("/demo/", "/demo/../demo/"), bearer, "")));
    list.add(
        new Hostile(
            "encoded slash", (m, p) -> request(m, p.replace("/t1", "/t1%2F..%2F"), bearer, "")));
    list.add(new Hostile("bad tenant", (m, p) -> request(m, p.replace("/demo", "/Bad_T"), "", "")));
    list.add(
        new Hostile("unknown tenant", (m, p) -> request(m, p.replace("/demo", "/nobody"), "", "")));
    list.add(
        new Hostile(
            "overlong id",
            (m, p) ->
                request(
                    m,
                    p.replace("/t1", "/" + "t".repeat(300)).replace(COMMENT_ID, "c".repeat(300)),
                    bearer,
                    "")));
    list.add(
        new Hostile(
            "bad query",
            (m, p) ->
                request(
                    m,
                    p + "?limit=-1&sort=sideways&readPreference=all&cursor=x&tenant=other",
                    bearer,
                    "")));
    list.add(
        new Hostile(
            "broken percent-escape in the query",
            (m, p) -> request(m, p + "?cursor=%%%", bearer, ""),
            true));
    list.add(
        new Hostile(
            "repeated query",
            (m, p) -> request(m, p + "?limit=5&limit=6&sort=top&sort=new", "", "")));
    list.add(
        new Hostile(
            "malformed bearer", (m, p) -> request(m, p, "Authorization: Bearer\r\n" + json, "{}")));
    list.add(
        new Hostile(
            "forged token",
            (m, p) -> request(m, p, "Authorization: Bearer " + token + "x\r\n" + json, "{}")));
    list.add(
        new Hostile(
            "basic auth", (m, p) -> request(m, p, "Authorization: Basic YTpi\r\n" + json, "{}")));
    list.add(
        new Hostile(
            "wrong content type",
            (m, p) -> request(m, p, bearer + "Content-Type: text/plain\r\n", "{\"text\":\"x\"}")));
    list.add(
        new Hostile(
            "bad idempotency key",
            (m, p) ->
                request(m, p, bearer + json + "Idempotency-Key: no spaces allowed!\r\n", "{}")));
    list.add(
        new Hostile(
            "forged consistency token",
            (m, p) -> request(m, p, bearer + "X-Consistency-Token: forged.token\r\n", "")));
    list.add(
        new Hostile(
            "forged cluster key",
            (m, p) ->
                request(
                    m,
                    p,
                    "X-Cluster-Key: guess\r\nX-Forwarded-For: 10.0.0.1, ::1, not-an-ip\r\n",
                    "")));
    return list;
  }

  private static String request(String method, String target, String headers, String body) {
    int length = body.getBytes(StandardCharsets.ISO_8859_1).length;
    return head(method, target, headers + (length > 0 ? "Content-Length: " + length + "\r\n" : ""))
        + body;
  }

  private static String head(String method, String target, String headers) {
    return method
        + " "
        + target
        + " HTTP/1.1\r\nHost: node.example\r\n"
        + headers
        + "Connection: close\r\n\r\n";
  }

  private static String firstLine(String raw) {
    return raw.substring(0, raw.indexOf('\r'));
  }

  private static String code(RawHttp.Reply reply) {
    try {
      JsonNode body = MAPPER.readTree(reply.body());
      return body == null ? null : body.path("error").path("code").textValue();
    } catch (Exception e) {
      return null;
    }
  }
}
