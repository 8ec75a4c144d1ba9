package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.testing.EdgePair;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Input a page shows to other people: a reply's {@code parentId} must look like a comment id and is
 * never repeated back, and a display name may not carry invisible format characters that would
 * reorder or hide what is shown beside it.
 */
class InvisibleAndForgedInputTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String POSTS = "/api/v1/tenants/demo/threads/t1/comments";

  private final EdgePair edges =
      EdgePair.start(Map.of("demo", new TenantSettings(EdgePair.MODERATOR_KEY)));
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stop() {
    client.close();
    edges.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "<script>alert(1)</script>",
        "c0",
        "0190D2F4-8C3A-7B21-9A4E-1F2D3C4B5A69",
        "0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a69 ",
        "0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a6\u202E",
        "",
      })
  void a_parent_id_that_is_no_comment_id_is_refused_without_being_repeated(String parentId)
      throws Exception {
    String token = session("Ada");
    String body = MAPPER.writeValueAsString(Map.of("text", "a reply", "parentId", parentId));

    HttpResponse<String> reply = post(POSTS, body, token);

    assertError(reply, 400, "invalid_field");
    assertThat(message(reply)).contains("parentId");
    if (!parentId.isEmpty()) {
      assertThat(reply.body()).doesNotContain(parentId).doesNotContain("script");
    }
    assertThat(edges.commands.calls).isEmpty();
  }

  @Test
  void a_parent_id_of_the_right_form_reaches_the_command_side() throws Exception {
    String parentId = "0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a69";

    HttpResponse<String> reply =
        post(POSTS, "{\"text\":\"a reply\",\"parentId\":\"" + parentId + "\"}", session("Ada"));

    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(201);
    assertThat(edges.commands.calls.getFirst().arguments().get(1)).isEqualTo(parentId);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Ada\u202Enimda",
        "\u2066Ada\u2069",
        "Ad\u200Ba",
        "Ada\u200F",
        "Ada\u2060",
        "\uFEFFAda",
        "A\u2064da",
        "Ada\u202A",
        "Ada\u200D"
      })
  void a_display_name_with_an_invisible_format_character_is_refused(String name) throws Exception {
    HttpResponse<String> reply =
        post(
            "/api/v1/tenants/demo/sessions",
            MAPPER.writeValueAsString(Map.of("displayName", name)),
            null);

    assertError(reply, 400, "invisible_character");
    assertThat(message(reply)).contains("displayName").contains("U+");
  }

  @Test
  void a_display_name_in_a_right_to_left_script_is_taken() throws Exception {
    assertThat(session("\u05D3\u05E0\u05D4")).isNotBlank();
  }

  private String session(String name) throws Exception {
    HttpResponse<String> created =
        post(
            "/api/v1/tenants/demo/sessions",
            MAPPER.writeValueAsString(Map.of("displayName", name)),
            null);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return MAPPER.readTree(created.body()).get("sessionToken").textValue();
  }

  private HttpResponse<String> post(String path, String body, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edges.primary.port() + path))
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), BodyHandlers.ofString());
  }

  private static String message(HttpResponse<String> reply) throws Exception {
    return MAPPER.readTree(reply.body()).path("error").path("message").textValue();
  }

  private static void assertError(HttpResponse<String> reply, int status, String code)
      throws Exception {
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(status);
    JsonNode error = MAPPER.readTree(reply.body()).path("error");
    assertThat(error.path("code").textValue()).isEqualTo(code);
  }
}
