package dev.comments.edge.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.security.DerivedKeys;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import dev.comments.edge.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SessionTokensTest {
  private static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final SigningKey KEY = new SigningKey("s2", SECRET);
  private static final SigningKey OLD_KEY =
      new SigningKey("s1", "the retired session key, 32+ bytes".getBytes(StandardCharsets.UTF_8));
  private static final Instant OLD_KEY_ENDS = Instant.parse("2026-01-08T00:00:00Z");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00.500Z"));
  private final SessionTokens tokens =
      new SessionTokens(
          new KeyRing(KEY, List.of(new KeyRing.PreviousKey(OLD_KEY, OLD_KEY_ENDS))),
          Duration.ofDays(30),
          clock);

  @Test
  void issued_token_verifies_for_its_tenant() {
    IssuedSession issued = tokens.issue("demo", "Ada");

    Session session = tokens.verify(issued.token(), "demo");

    assertThat(session).isEqualTo(issued.session());
    assertThat(session.displayName()).isEqualTo("Ada");
    assertThat(session.sessionId()).matches("[A-Za-z0-9_-]{24}");
    assertThat(session.expiresAt()).isEqualTo(Instant.parse("2026-01-31T10:00:00Z"));
  }

  @Test
  void new_tokens_name_the_current_key_in_their_kid_header() throws Exception {
    String token = tokens.issue("demo", "Ada").token();

    assertThat(SignedJWT.parse(token).getHeader().getKeyID()).isEqualTo("s2");
  }

  @Test
  void accepts_a_token_of_the_previous_key_until_its_window_ends() {
    String old = beforeRotation().issue("demo", "Ada").token();

    assertThat(tokens.verify(old, "demo").displayName()).isEqualTo("Ada");
    clock.set(OLD_KEY_ENDS.minusMillis(1));
    assertThat(tokens.verify(old, "demo").displayName()).isEqualTo("Ada");
    clock.set(OLD_KEY_ENDS);
    assertRefused(old, "demo", "session_invalid");
  }

  @Test
  void refuses_a_token_whose_kid_no_key_has() {
    String unknown =
        new SessionTokens(KeyRing.of(new SigningKey("s9", SECRET)), Duration.ofDays(1), clock)
            .issue("demo", "Eve")
            .token();

    assertRefused(unknown, "demo", "session_invalid");
  }

  @Test
  void refuses_a_token_without_a_kid() throws Exception {
    String claims = claimsOf(tokens.issue("demo", "Ada").token());
    String header =
        B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(DerivedKeys.derive(SECRET, SessionTokens.PURPOSE), "HmacSHA256"));
    String signature =
        B64.encodeToString(
            mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII)));

    assertRefused(header + "." + claims + "." + signature, "demo", "session_invalid");
  }

  @Test
  void refuses_a_token_of_a_known_kid_signed_with_another_secret() {
    byte[] other = SECRET.clone();
    other[3] ^= 1;
    String forged =
        new SessionTokens(KeyRing.of(new SigningKey("s2", other)), Duration.ofDays(1), clock)
            .issue("demo", "Eve")
            .token();

    assertRefused(forged, "demo", "session_invalid");
  }

  @Test
  void every_session_gets_its_own_id() {
    assertThat(tokens.issue("demo", "A").session().sessionId())
        .isNotEqualTo(tokens.issue("demo", "A").session().sessionId());
  }

  @Test
  void refuses_token_signed_with_another_secret() {
    byte[] other = SECRET.clone();
    other[0] ^= 1;
    String forged =
        new SessionTokens(KeyRing.of(new SigningKey("s2", other)), Duration.ofDays(1), clock)
            .issue("demo", "Eve")
            .token();

    assertRefused(forged, "demo", "session_invalid");
  }

  @Test
  void refuses_token_whose_claims_were_changed() {
    String[] parts = tokens.issue("demo", "Ada").token().split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String changed =
        B64.encodeToString(claims.replace("Ada", "Eve").getBytes(StandardCharsets.UTF_8));

    assertRefused(parts[0] + "." + changed + "." + parts[2], "demo", "session_invalid");
  }

  @Test
  void refuses_expired_token_by_the_injected_clock() {
    String token = tokens.issue("demo", "Ada").token();
    clock.advance(Duration.ofDays(30));

    assertRefused(token, "demo", "session_expired");
  }

  @Test
  void a_token_verified_before_is_still_refused_once_expired_or_for_another_tenant() {
    String token = tokens.issue("demo", "Ada").token();
    Session first = tokens.verify(token, "demo");
    Session again = tokens.verify(token, "demo");

    assertThat(again).isEqualTo(first);
    assertRefused(token, "other", "session_wrong_tenant");
    clock.advance(Duration.ofDays(30).minusSeconds(1));
    assertThat(tokens.verify(token, "demo")).isEqualTo(first);
    clock.advance(Duration.ofSeconds(1));
    assertRefused(token, "demo", "session_expired");
  }

  @Test
  void a_token_verified_before_is_refused_once_its_key_is_no_longer_accepted() {
    String old = beforeRotation().issue("demo", "Ada").token();
    tokens.verify(old, "demo");

    clock.set(OLD_KEY_ENDS);

    assertRefused(old, "demo", "session_invalid");
  }

  @Test
  void accepts_token_one_second_before_expiry() {
    String token = tokens.issue("demo", "Ada").token();
    clock.advance(Duration.ofDays(30).minusSeconds(1));

    assertThat(tokens.verify(token, "demo").displayName()).isEqualTo("Ada");
  }

  @Test
  void refuses_token_of_another_tenant() {
    String token = tokens.issue("other", "Ada").token();

    assertRefused(token, "demo", "session_wrong_tenant");
  }

  @Test
  void refuses_unsigned_token_with_alg_none() {
    String claims = claimsOf(tokens.issue("demo", "Ada").token());
    String header = B64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));

    assertRefused(header + "." + claims + ".", "demo", "session_invalid");
  }

  @Test
  void refuses_token_signed_with_the_right_key_but_another_algorithm() throws Exception {
    String claims = claimsOf(tokens.issue("demo", "Ada").token());
    String header =
        B64.encodeToString(
            "{\"alg\":\"HS512\",\"typ\":\"JWT\",\"kid\":\"s2\"}".getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA512");
    mac.init(new SecretKeySpec(DerivedKeys.derive(SECRET, SessionTokens.PURPOSE), "HmacSHA512"));
    String signature =
        B64.encodeToString(
            mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII)));

    assertRefused(header + "." + claims + "." + signature, "demo", "session_invalid");
  }

  @Test
  void refuses_garbage() {
    assertRefused("not-a-token", "demo", "session_invalid");
    assertRefused("a.b.c", "demo", "session_invalid");
    assertRefused("x".repeat(5000), "demo", "session_invalid");
  }

  @Test
  void refuses_token_signed_with_the_raw_secret_instead_of_the_derived_key() throws Exception {
    // The consistency key is derived too; a token of one purpose must not pass for another.
    String claims = claimsOf(tokens.issue("demo", "Ada").token());
    String header =
        B64.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"s2\"}".getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
    String signature =
        B64.encodeToString(
            mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII)));

    assertRefused(header + "." + claims + "." + signature, "demo", "session_invalid");
  }

  @Test
  void display_name_is_trimmed_and_bounded_in_code_points() {
    assertThat(DisplayName.normalize(null)).isEqualTo("Anonymous");
    assertThat(DisplayName.normalize("  Ada  ")).isEqualTo("Ada");
    String emoji = "\uD83D\uDE00";
    assertThat(DisplayName.normalize(emoji.repeat(64))).hasSize(128);
    assertThatThrownBy(() -> DisplayName.normalize(emoji.repeat(65)))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_field"));
    assertThatThrownBy(() -> DisplayName.normalize("   "))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_field"));
    assertThatThrownBy(() -> DisplayName.normalize("a\u0000b"))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_field"));
  }

  @Test
  void refuses_a_signed_token_whose_audience_is_a_list_holding_null() throws Exception {
    // Found by SessionTokensFuzzTest: a NullPointerException (a 500) instead of a 401.
    String header =
        B64.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"s2\"}".getBytes(StandardCharsets.UTF_8));
    String claims =
        B64.encodeToString(
            "{\"sub\":\"abcdefghijklmnopqrstuvwx\",\"aud\":[null],\"name\":\"Ada\",\"exp\":1900000000}"
                .getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(DerivedKeys.derive(SECRET, SessionTokens.PURPOSE), "HmacSHA256"));
    String signature =
        B64.encodeToString(
            mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII)));

    assertRefused(header + "." + claims + "." + signature, "demo", "session_wrong_tenant");
  }

  /** The node as it was before the rotation: s1 was its current key. */
  private SessionTokens beforeRotation() {
    return new SessionTokens(KeyRing.of(OLD_KEY), Duration.ofDays(30), clock);
  }

  private static String claimsOf(String token) {
    return token.split("\\.")[1];
  }

  private void assertRefused(String token, String tenant, String code) {
    assertThatThrownBy(() -> tokens.verify(token, tenant))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.headers()).containsKey("WWW-Authenticate");
            });
  }
}
