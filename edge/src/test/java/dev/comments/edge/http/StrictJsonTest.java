package dev.comments.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictJsonTest {
  private final StrictJson json = new StrictJson(65_536);

  @Test
  void parses_an_object() {
    ObjectNode node =
        json.parseObject(bytes("{\"text\":\"h\u00e9llo \uD83D\uDE00\",\"parentId\":null}"));

    assertThat(node.get("text").textValue()).isEqualTo("h\u00e9llo \uD83D\uDE00");
    assertThat(node.get("parentId").isNull()).isTrue();
  }

  @Test
  void refuses_invalid_utf8_with_its_offset() {
    byte[] body = {'{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

    assertRefused(body, "invalid_utf8", "at byte 6");
  }

  @Test
  void refuses_overlong_encodings_and_encoded_surrogates() {
    assertRefused(new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'}, "invalid_utf8", "at byte 1");
    assertRefused(
        new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, "invalid_utf8", "at byte 1");
  }

  @Test
  void refuses_truncated_utf8_at_the_end() {
    assertRefused(new byte[] {'{', '}', (byte) 0xE2, (byte) 0x82}, "invalid_utf8", "at byte 2");
  }

  @Test
  void refuses_malformed_json() {
    assertRefused(bytes("{\"text\": }"), "malformed_json", "line 1");
    assertRefused(bytes("{\"text\": \"a\"} {}"), "malformed_json", "after the JSON value");
    assertRefused(bytes(""), "malformed_json", "empty");
    assertRefused(bytes("{'text': 'a'}"), "malformed_json", "not valid JSON");
    assertRefused(bytes("{\"a\": NaN}"), "malformed_json", "not valid JSON");
  }

  @Test
  void refuses_nesting_bombs() {
    assertRefused(bytes("[".repeat(10_000) + "]".repeat(10_000)), "json_too_deep", "16 levels");
    assertRefused(bytes("{\"a\":".repeat(17) + "1" + "}".repeat(17)), "json_too_deep", "16");
  }

  @Test
  void takes_nesting_up_to_the_limit() {
    String body = "{\"a\":".repeat(16) + "1" + "}".repeat(16);

    assertThat(json.parseObject(bytes(body)).has("a")).isTrue();
  }

  @Test
  void refuses_huge_numbers_and_names() {
    assertRefused(bytes("{\"n\": " + "9".repeat(5000) + "}"), "malformed_json", "too long");
    assertRefused(bytes("{\"" + "k".repeat(300) + "\": 1}"), "malformed_json", "too long");
  }

  @Test
  void refuses_duplicate_keys_naming_the_field() {
    assertRefused(bytes("{\"text\":\"a\",\"text\":\"b\"}"), "duplicate_field", "'text'");
  }

  @Test
  void refuses_bodies_that_are_not_objects() {
    assertRefused(bytes("[1,2]"), "invalid_body", "JSON object");
    assertRefused(bytes("\"text\""), "invalid_body", "JSON object");
    assertRefused(bytes("null"), "invalid_body", "JSON object");
  }

  private void assertRefused(byte[] body, String code, String messagePart) {
    assertThatThrownBy(() -> json.parseObject(body))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage()).contains(messagePart);
            });
  }

  @Test
  void reads_fractions_exactly_and_a_number_past_double_range_not_as_infinity() {
    // Found by JsonBodyFuzzTest: 1e400 read as Infinity, which writes back as the string.
    ObjectNode node = json.parseObject(bytes("{\"a\":1e400,\"b\":0.10000000000000000001}"));

    assertThat(node.get("a").decimalValue()).isEqualTo(new java.math.BigDecimal("1e400"));
    assertThat(node.get("b").decimalValue())
        .isEqualTo(new java.math.BigDecimal("0.10000000000000000001"));
    assertRefused(bytes("{\"a\":1e9999999999}"), "malformed_json", "exponent is out of range");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
