package dev.comments.edge.http;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonContentTypeTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        "application/json; charset=\"utf-8\""
      })
  void takes_json_in_utf8(String header) {
    assertThatCode(() -> JsonContentType.require(header)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=iso-8859-1",
        "application/jsonx",
        "multipart/form-data; boundary=x",
        // Found by JsonBodyFuzzTest: threw ArrayIndexOutOfBoundsException, a 500.
        ";",
        ";;"
      })
  void refuses_everything_else_with_415(String header) {
    assertThatThrownBy(() -> JsonContentType.require(header))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(415);
              org.assertj.core.api.Assertions.assertThat(e.code())
                  .isEqualTo("unsupported_media_type");
            });
  }

  @Test
  void refuses_a_missing_content_type() {
    assertThatThrownBy(() -> JsonContentType.require(null)).isInstanceOf(ApiException.class);
  }
}
