package dev.comments.edge.comment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.http.ApiException;
import dev.comments.events.HostPage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPageRequestTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  private static HostPage page(String json) throws Exception {
    return HostPageRequest.from(json(json));
  }

  private static void assertRefused(String json, String messagePart) {
    assertThatThrownBy(() -> page(json))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("invalid_page");
            })
        .hasMessageContaining(messagePart);
  }

  @Test
  void absent_or_null_is_no_page() throws Exception {
    assertThat(HostPageRequest.from(null)).isNull();
    assertThat(page("null")).isNull();
  }

  @Test
  void keeps_the_url_and_the_trimmed_title() throws Exception {
    assertThat(page("{\"url\":\"https://news.example.com/a?b=1#c\",\"title\":\"  Launch day \"}"))
        .isEqualTo(new HostPage("https://news.example.com/a?b=1#c", "Launch day"));
  }

  @Test
  void a_missing_null_or_blank_title_is_none() throws Exception {
    assertThat(page("{\"url\":\"http://example.com/\"}").title()).isNull();
    assertThat(page("{\"url\":\"http://example.com/\",\"title\":null}").title()).isNull();
    assertThat(page("{\"url\":\"http://example.com/\",\"title\":\"   \"}").title()).isNull();
  }

  @Test
  void a_title_of_the_longest_length_counts_code_points_not_chars() throws Exception {
    String emoji = "\uD83D\uDE80".repeat(HostPage.MAX_TITLE_CODE_POINTS);

    assertThat(page("{\"url\":\"https://example.com/\",\"title\":\"" + emoji + "\"}").title())
        .isEqualTo(emoji);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"https://example.com/\"", "[]", "5", "true"})
  void refuses_a_page_that_is_not_an_object(String value) {
    assertRefused(value, "must be an object");
  }

  @Test
  void refuses_an_unknown_field_of_the_page() {
    assertRefused("{\"url\":\"https://example.com/\",\"html\":\"<b>\"}", "page.html");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"url\":null}", "{\"url\":5}", "{\"title\":\"t\"}"})
  void refuses_a_page_without_a_url_string(String value) {
    assertRefused(value, "page.url' is required");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/relative/path",
        "example.com/page",
        "ftp://example.com/file",
        "javascript:alert(1)",
        "data:text/html,hi",
        "https:///no-host",
        "https:opaque"
      })
  void refuses_a_url_that_is_not_absolute_http_or_https(String url) {
    assertRefused("{\"url\":\"" + url + "\"}", "absolute http or https");
  }

  @Test
  void refuses_a_url_that_does_not_parse() {
    assertRefused("{\"url\":\"https://example.com/%zz\"}", "not a URL");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"https://example.com/a b", "https://example.com/\\t", "https://ex\\u0000"})
  void refuses_a_url_with_whitespace_or_control_characters(String url) {
    assertRefused("{\"url\":\"" + url + "\"}", "whitespace or control");
  }

  @Test
  void refuses_a_url_longer_than_the_limit() throws Exception {
    String prefix = "https://example.com/";
    String longest = prefix + "a".repeat(HostPage.MAX_URL_LENGTH - prefix.length());

    assertThat(page("{\"url\":\"" + longest + "\"}").url()).isEqualTo(longest);
    assertRefused("{\"url\":\"" + longest + "a\"}", "at most 2048");
  }

  @Test
  void refuses_a_title_that_is_not_a_string() {
    assertRefused("{\"url\":\"https://example.com/\",\"title\":[\"t\"]}", "page.title");
  }

  @Test
  void refuses_a_title_with_control_characters() {
    assertRefused(
        "{\"url\":\"https://example.com/\",\"title\":\"a\\u0007b\"}", "control characters");
    assertRefused("{\"url\":\"https://example.com/\",\"title\":\"a\\nb\"}", "control characters");
  }

  @Test
  void refuses_a_title_longer_than_the_limit_after_trimming() throws Exception {
    String longest = "t".repeat(HostPage.MAX_TITLE_CODE_POINTS);

    assertThat(page("{\"url\":\"https://example.com/\",\"title\":\"  " + longest + "  \"}").title())
        .isEqualTo(longest);
    assertRefused(
        "{\"url\":\"https://example.com/\",\"title\":\"" + longest + "t\"}", "at most 300");
  }

  @Test
  void the_answer_never_repeats_what_was_sent() {
    assertThatThrownBy(() -> page("{\"url\":\"javascript:<script>x</script>\"}"))
        .hasMessageNotContaining("<script>");
  }
}
