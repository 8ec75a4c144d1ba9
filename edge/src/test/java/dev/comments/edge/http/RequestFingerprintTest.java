package dev.comments.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestFingerprintTest {
  private static final String PATH = "/api/v1/tenants/demo/threads/t1/comments";

  @Test
  void ignores_member_order_and_whitespace_in_the_body() {
    assertThat(of("POST", PATH, "{\"text\":\"hi\",\"parentId\":\"c0\"}"))
        .isEqualTo(of("POST", PATH, "{ \"parentId\": \"c0\",\n  \"text\": \"hi\" }"));
  }

  @Test
  void tells_apart_method_path_and_body() {
    String base = of("POST", PATH, "{\"text\":\"hi\"}");
    assertThat(of("PATCH", PATH, "{\"text\":\"hi\"}")).isNotEqualTo(base);
    assertThat(of("POST", PATH.replace("t1", "t2"), "{\"text\":\"hi\"}")).isNotEqualTo(base);
    assertThat(of("POST", PATH, "{\"text\":\"hi!\"}")).isNotEqualTo(base);
    assertThat(of("POST", PATH, "{\"text\":[\"hi\"]}")).isNotEqualTo(base);
  }

  @Test
  void hashes_a_body_that_does_not_parse_as_sent() {
    assertThat(of("POST", PATH, "{\"text\":")).isNotEqualTo(of("POST", PATH, "{\"text\": "));
    assertThat(of("DELETE", PATH, "")).isEqualTo(of("DELETE", PATH, ""));
  }

  private static String of(String method, String path, String body) {
    return RequestFingerprint.of(method, path, body.getBytes(StandardCharsets.UTF_8));
  }
}
