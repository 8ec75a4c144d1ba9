package dev.comments.edge.consistency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import dev.comments.edge.testing.MutableClock;
import dev.comments.events.ThreadId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsistencyTokensTest {
  private static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final SigningKey KEY = new SigningKey("c2", SECRET);
  private static final SigningKey OLD_KEY =
      new SigningKey("c1", "the retired consistency key, 32+ b".getBytes(StandardCharsets.UTF_8));
  private static final Instant OLD_KEY_ENDS = Instant.parse("2026-01-01T10:10:00Z");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
  private final ConsistencyTokens tokens =
      new ConsistencyTokens(
          new KeyRing(KEY, List.of(new KeyRing.PreviousKey(OLD_KEY, OLD_KEY_ENDS))), clock);
  private final ConsistencyToken token =
      new ConsistencyToken(new ThreadId("demo", "post:42.a~b"), 17);

  @Test
  void round_trips_thread_and_seq() {
    String encoded = tokens.encode(token);

    assertThat(encoded).matches("c2\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}");
    assertThat(tokens.decode(encoded, "demo")).isEqualTo(token);
  }

  @Test
  void is_the_same_on_every_node_with_the_same_key() {
    ConsistencyTokens otherNode =
        new ConsistencyTokens(KeyRing.of(new SigningKey("c2", SECRET.clone())), clock);

    assertThat(otherNode.decode(tokens.encode(token), "demo")).isEqualTo(token);
  }

  @Test
  void accepts_a_token_of_the_previous_key_until_its_window_ends() {
    String old = new ConsistencyTokens(KeyRing.of(OLD_KEY), clock).encode(token);

    assertThat(tokens.decode(old, "demo")).isEqualTo(token);
    clock.set(OLD_KEY_ENDS.minusMillis(1));
    assertThat(tokens.decode(old, "demo")).isEqualTo(token);
    clock.set(OLD_KEY_ENDS);
    assertRefused(old, "demo", "invalid_consistency_token");
  }

  @Test
  void refuses_a_token_whose_kid_no_key_has() {
    String unknown =
        new ConsistencyTokens(KeyRing.of(new SigningKey("c9", SECRET)), clock).encode(token);

    assertRefused(unknown, "demo", "invalid_consistency_token");
  }

  @Test
  void refuses_a_token_whose_kid_was_swapped() {
    String encoded = tokens.encode(token);

    assertRefused("c1" + encoded.substring(2), "demo", "invalid_consistency_token");
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
            .encodeToString("2|demo|demo/post:42.a~b|9999".getBytes(StandardCharsets.UTF_8));

    assertRefused(
        "c2." + forgedPayload + encoded.substring(encoded.lastIndexOf('.')),
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

    assertRefused(
        new ConsistencyTokens(KeyRing.of(new SigningKey("c2", other)), clock).encode(token),
        "demo",
        "invalid_consistency_token");
  }

  @Test
  void refuses_well_signed_tokens_with_bad_payloads() {
    assertRefused(tokens.sign("1|demo|demo/t|1"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("3|demo|demo/t|1"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("2|demo|other/t|1"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("2|demo|demo/t|-1"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("2|demo|demo/t|01"), "demo", "invalid_consistency_token");
    assertRefused(
        tokens.sign("2|demo|demo/t|99999999999999999999"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("2|demo|demo/t"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("2|demo|demo/t|1|x"), "demo", "invalid_consistency_token");
    assertRefused(tokens.sign("2|demo|demo/bad thread|1"), "demo", "invalid_consistency_token");
  }

  @Test
  void refuses_malformed_text() {
    assertRefused("", "demo", "invalid_consistency_token");
    assertRefused("abc", "demo", "invalid_consistency_token");
    assertRefused("a.b.c", "demo", "invalid_consistency_token");
    assertRefused("c2.a+b/c=.def", "demo", "invalid_consistency_token");
    assertRefused("a.b." + "b".repeat(43), "demo", "invalid_consistency_token");
    assertRefused(
        "c2." + "a".repeat(5000) + "." + "b".repeat(43), "demo", "invalid_consistency_token");
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
