package dev.comments.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonFieldsTest {
  private final StrictJson json = new StrictJson(65_536);

  @Test
  void reads_required_and_optional_strings() {
    JsonFields fields = fields("{\"text\":\"hi\",\"parentId\":null}");

    assertThat(fields.requiredString("text")).isEqualTo("hi");
    assertThat(fields.optionalString("parentId")).isNull();
  }

  @Test
  void refuses_unknown_fields_by_name() {
    assertRefused(
        () -> fields("{\"text\":\"hi\",\"admin\":true}"), "unknown_field", "unknown field 'admin'");
  }

  @Test
  void refuses_missing_required_field() {
    assertRefused(() -> fields("{}").requiredString("text"), "missing_field", "'text' is required");
  }

  @Test
  void never_coerces_other_types_to_strings() {
    assertRefused(
        () -> fields("{\"text\":5}").requiredString("text"),
        "invalid_field",
        "'text' must be a string, not a number");
    assertRefused(
        () -> fields("{\"text\":null}").requiredString("text"), "invalid_field", "not null");
    assertRefused(
        () -> fields("{\"text\":true}").requiredString("text"), "invalid_field", "a boolean");
    assertRefused(
        () -> fields("{\"parentId\":{}}").optionalString("parentId"),
        "invalid_field",
        "'parentId' must be a string or null, not an object");
    assertRefused(
        () -> fields("{\"parentId\":[\"a\"]}").optionalString("parentId"),
        "invalid_field",
        "an array");
  }

  private JsonFields fields(String body) {
    ObjectNode node = json.parseObject(body.getBytes(StandardCharsets.UTF_8));
    return JsonFields.of(node, List.of("text", "parentId"));
  }

  private static void assertRefused(Runnable call, String code, String messagePart) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage()).contains(messagePart);
            });
  }
}
