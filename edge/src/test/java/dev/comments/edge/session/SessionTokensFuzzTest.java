package dev.comments.edge.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.security.DerivedKeys;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Any text is refused as a session token with a 401, whether sent as it is or as the claims of a
 * token signed with the node's own key (so the claim checks are fuzzed too, not only the MAC); a
 * token that verifies is for the tenant asked about. A valid display name round-trips: issue then
 * verify gives the session issued.
 */
class SessionTokensFuzzTest {
  private static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T10:00:00Z"), ZoneOffset.UTC);

  private static final SigningKey KEY = new SigningKey("s1", SECRET);

  private final SessionTokens tokens =
      new SessionTokens(KeyRing.of(KEY), Duration.ofDays(30), CLOCK);

  @FuzzTest(maxDuration = "10s")
  void verifies_or_refuses_with_401_and_round_trips(byte[] input) throws Exception {
    String text = new String(input, StandardCharsets.UTF_8);

    verifiesOrRefuses(text);
    verifiesOrRefuses(signedWithTheNodeKey(text));

    if (DisplayName.isValid(text)) {
      IssuedSession issued = tokens.issue("demo", text);
      assertThat(tokens.verify(issued.token(), "demo")).isEqualTo(issued.session());
    }
  }

  private void verifiesOrRefuses(String token) {
    try {
      Session session = tokens.verify(token, "demo");
      assertThat(session.tenant()).isEqualTo("demo");
      assertThat(DisplayName.isValid(session.displayName())).isTrue();
    } catch (ApiException refused) {
      assertThat(refused.status()).isEqualTo(401);
    }
  }

  /** Signed as SessionTokens signs: the key it derives, its id in the {@code kid} header. */
  private static String signedWithTheNodeKey(String claims) throws Exception {
    JWSObject jws =
        new JWSObject(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(KEY.id()).build(), new Payload(claims));
    jws.sign(new MACSigner(DerivedKeys.derive(SECRET, SessionTokens.PURPOSE)));
    return jws.serialize();
  }
}
