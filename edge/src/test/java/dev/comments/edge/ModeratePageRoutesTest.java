package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.edge.testing.PrimaryEdge;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The moderators' page, {@code /moderate}, on a real Undertow. */
class ModeratePageRoutesTest {
  private PrimaryEdge edge;

  @BeforeEach
  void start() {
    edge = PrimaryEdge.start(Map.of("demo", new TenantSettings("demo-moderator-key-0001")));
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
  void the_page_and_its_files_are_served_under_a_strict_policy() throws Exception {
    HttpResponse<String> page = send(at("/moderate"));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("/moderate/moderate.js", "/moderate/moderate.css");
    for (HttpResponse<String> answer :
        List.of(page, send(at("/moderate/moderate.js")), send(at("/moderate/moderate.css")))) {
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.headers().firstValue("Content-Security-Policy").orElseThrow())
          .contains("script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
          .doesNotContain("unsafe");
      assertThat(answer.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }
    assertThat(send(at("/moderate/moderate.js")).headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
  }

  @Test
  void the_page_answers_at_its_published_address_with_the_trailing_slash_too() throws Exception {
    HttpResponse<String> page = send(at("/moderate/"));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).isEqualTo(send(at("/moderate")).body());
    // Only there: another empty segment is still refused.
    assertThat(send(at("/moderate//")).statusCode()).isEqualTo(400);
    assertThat(send(at("/widget/v1/")).statusCode()).isEqualTo(400);
  }

  @Test
  void an_unknown_file_of_the_page_is_not_found() throws Exception {
    HttpResponse<String> missing = send(at("/moderate/secrets.txt"));
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("not_found");
  }
}
