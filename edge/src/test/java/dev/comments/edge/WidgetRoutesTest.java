package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.edge.abuse.RateLimits;
import dev.comments.edge.testing.PrimaryEdge;
import dev.comments.edge.widget.AllowedOrigins;
import dev.comments.edge.widget.WidgetAssets;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The widget's files and the API's CORS answers, on a real Undertow. */
class WidgetRoutesTest {
  private static final String ALLOWED = "https://news.example";
  private PrimaryEdge edge;

  @BeforeEach
  void start() {
    edge =
        PrimaryEdge.start(
            Map.of(
                "demo",
                new TenantSettings(
                    "demo-moderator-key-0001",
                    RateLimits.OFF,
                    AllowedOrigins.of(List.of(ALLOWED, "http://localhost:*"))),
                "other",
                new TenantSettings("other-moderator-key-01")));
  }

  @AfterEach
  void stop() {
    edge.close();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return edge.send(request, BodyHandlers.ofString());
  }

  private HttpRequest.Builder at(String path) {
    return edge.at(path);
  }

  @Test
  void the_loader_names_the_immutable_bundle_and_is_cached_briefly() throws Exception {
    HttpResponse<String> loader = send(at("/widget/v1/embed.js"));
    assertThat(loader.statusCode()).isEqualTo(200);
    assertThat(loader.headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(loader.headers().firstValue("Cache-Control")).hasValue("public, max-age=300");
    Matcher bundle = Pattern.compile("embed\\.[0-9a-f]{16}\\.js").matcher(loader.body());
    assertThat(bundle.find()).isTrue();

    HttpResponse<String> code = send(at("/widget/v1/" + bundle.group()));
    assertThat(code.statusCode()).isEqualTo(200);
    assertThat(code.headers().firstValue("Cache-Control"))
        .hasValue("public, max-age=31536000, immutable");
    assertThat(code.body()).contains("CommentsLive").contains("CommentsWidget");
    assertThat(send(at("/widget/v1/embed.0000000000000000.js")).statusCode()).isEqualTo(404);
  }

  @Test
  void the_bundle_stays_under_30_kilobytes_gzipped_and_is_served_gzipped() throws Exception {
    WidgetAssets assets = WidgetAssets.load();
    assertThat(assets.bundleGzippedBytes()).isLessThan(30 * 1024);
    HttpResponse<byte[]> gzipped =
        edge.send(
            at("/widget/v1/" + assets.bundleName()).header("Accept-Encoding", "gzip"),
            BodyHandlers.ofByteArray());
    assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(gzipped.body()).hasSize(assets.bundleGzippedBytes());
  }

  @Test
  void the_demo_page_embeds_the_widget_under_a_strict_policy() throws Exception {
    HttpResponse<String> page = send(at("/"));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("data-comments-tenant=\"demo\"", "/widget/v1/embed.js");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'", "style-src 'self'")
        .doesNotContain("unsafe");
  }

  @Test
  void a_preflight_from_an_allowed_origin_names_the_widgets_headers() throws Exception {
    HttpResponse<String> preflight =
        send(
            at("/api/v1/tenants/demo/threads/t1/comments")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ALLOWED)
                .header("Access-Control-Request-Method", "POST")
                .header(
                    "Access-Control-Request-Headers",
                    "authorization, content-type, idempotency-key, x-consistency-token"));
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .contains("Authorization", "Content-Type", "Idempotency-Key", "X-Consistency-Token");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow())
        .contains("POST", "PATCH", "DELETE");
  }

  @Test
  void an_allowed_origin_reads_the_answer_and_its_position_errors_included() throws Exception {
    HttpResponse<String> page =
        send(
            at("/api/v1/tenants/demo/threads/t1/comments")
                .header("Origin", "http://localhost:5173"));
    assertThat(page.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("http://localhost:5173");
    assertThat(page.headers().firstValue("Access-Control-Expose-Headers").orElseThrow())
        .contains("X-Thread-Position", "Retry-After");
    assertThat(page.headers().allValues("Vary")).anyMatch(v -> v.contains("Origin"));

    HttpResponse<String> error =
        send(
            at("/api/v1/tenants/demo/threads/t1/comments")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json")
                .header("Origin", ALLOWED));
    assertThat(error.statusCode()).isEqualTo(401);
    assertThat(error.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED);
  }

  @Test
  void another_origin_is_refused_on_every_tenant_route_preflight_included() throws Exception {
    for (HttpRequest.Builder request :
        List.of(
            at("/api/v1/tenants/demo/threads/t1/comments").header("Origin", "https://evil.example"),
            at("/api/v1/tenants/demo/threads/t1/comments")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST"),
            at("/api/v1/tenants/other/threads/t1/comments").header("Origin", ALLOWED),
            at("/stream/v1/tenants/demo/threads/t1").header("Origin", "http://127.0.0.2:8000"))) {
      HttpResponse<String> refused = send(request);
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).contains("origin_not_allowed");
    }
    HttpResponse<String> unknown =
        send(at("/api/v1/tenants/nobody/threads/t1/comments").header("Origin", ALLOWED));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("tenant_not_found");
    assertThat(unknown.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED);
    // The refusal of a simple request is readable, so the widget can say why it shows nothing.
    HttpResponse<String> refused =
        send(
            at("/api/v1/tenants/demo/threads/t1/comments")
                .header("Origin", "https://evil.example"));
    assertThat(refused.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://evil.example");
  }

  @Test
  void a_request_without_origin_or_from_the_nodes_own_pages_needs_no_cors() throws Exception {
    HttpResponse<String> plain = send(at("/api/v1/tenants/other/threads/t1/comments"));
    assertThat(plain.statusCode()).isEqualTo(404);
    assertThat(plain.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    HttpResponse<String> own =
        send(
            at("/api/v1/tenants/other/threads/t1/comments")
                .header("Origin", "http://127.0.0.1:" + edge.server.port()));
    assertThat(own.statusCode()).isEqualTo(404);
    assertThat(own.body()).contains("thread_not_found");
  }
}
