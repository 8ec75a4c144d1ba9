package dev.comments.edge.consistency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.edge.http.ApiException;
import dev.comments.events.ThreadId;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsistencyTokensTest {
  private static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private final ConsistencyTokens tokens = new ConsistencyTokens(SECRET);
  private final ConsistencyToken token =
      new ConsistencyToken(new ThreadId("demo", "post:42.a~b"), 17);

  @Test
  void round_trips_thread_and_seq() {
    String encoded = tokens.encode(token);

    assertThat(encoded).matches("[A-Za-z0-9_.-]+");
    assertThat(tokens.decode(encoded, "demo")).isEqualTo(token);
  }

  @Test
  void is_the_same_on_every_node_with_the_same_secret() {
    assertThat(new ConsistencyTokens(SECRET.clone()).decode(tokens.encode(token), "demo"))
        .isEqualTo(token);
  }

  @Test
  void refuses_token_of_another_tenant() {
    assertRefused(tokens.encode(token), "other", "consistency_token_wrong_tenant");
  }

  @Test
  void refuses_token_with_changed_payload() {
    String encoded = tokens.encode(token);
    String forgedPayload =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("1|demo|demo/post:42.a~b|9999".getBytes(StandardCharsets.UTF_8));

    assertRefused(
        forgedPayload + encoded.substring(encoded.indexOf('.')),
        "demo",
        "invalid_consistency_token");
  }

  @Test
  void refuses_token_with_changed_mac() {
    String encoded = tokens.encode(token);
    char last = encoded.charAt(encoded.length() - 1);
    String changed = encoded.substring(0, encoded.length() - 1) + (last == 'A' ? 'B' : 'A');

    assertRefused(changed, "demo", "invalid_consistency_token");
  }

  @Test
  void refuses_token_made_with_another_secret() {
    byte[] other = SECRET.clone();
    other[5] ^= 1;

    assertRefused(new ConsistencyTokens(other).encode(token), "demo", "invalid_consistency_token");
  }

  @Test
  void refuses_well_signed_tokens_with_bad_payloads() {
    assertRefused(tokens.sign("2|demo|demo/t|1"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("1|demo|other/t|1"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("1|demo|demo/t|-1"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("1|demo|demo/t|01"), "demo", "invalid_consistency_token");
    assertRefused(
        tokens.sign("1|demo|demo/t|99999999999999999999"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("1|demo|demo/t"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("1|demo|demo/t|1|x"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("1|demo|demo/bad thread|1"), "demo", "invalid_consistency_token");
  }

  @Test
  void refuses_malformed_text() {
    assertRefused("", "demo", "invalid_consistency_token");
    assertRefused("abc", "demo", "invalid_consistency_token");
    assertRefused("a.b.c", "demo", "invalid_consistency_token");
    assertRefused("a+b/c=.def", "demo", "invalid_consistency_token");
    assertRefused("a".repeat(5000) + "." + "b".repeat(43), "demo", "invalid_consistency_token");
  }

  private void assertRefused(String encoded, String tenant, String code) {
    assertThatThrownBy(() -> tokens.decode(encoded, tenant))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo(code);
            });
  }
}
