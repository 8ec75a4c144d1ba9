package dev.comments.edge.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import dev.comments.events.ThreadId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * Any text is refused as a consistency token with a 400, whether sent as it is or as a payload
 * signed with the node's own key (so the payload parsing is fuzzed too, not only the MAC); a token
 * that decodes is for the tenant asked about and is exactly what encoding it gives. A valid thread
 * id round-trips: encode then decode gives the token encoded.
 */
class ConsistencyTokensFuzzTest {
  private static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private final ConsistencyTokens tokens =
      new ConsistencyTokens(KeyRing.of(new SigningKey("c1", SECRET)), Clock.systemUTC());

  @FuzzTest(maxDuration = "10s")
  void decodes_or_refuses_with_400_and_round_trips(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);

    decodesOrRefuses(text);
    // sign() signs with the current key, under its key id, as encode() does.
    decodesOrRefuses(tokens.sign(text));

    if (ThreadId.isValidThread(text)) {
      ConsistencyToken token = new ConsistencyToken(new ThreadId("demo", text), input.length);
      assertThat(tokens.decode(tokens.encode(token), "demo")).isEqualTo(token);
    }
  }

  private void decodesOrRefuses(String token) {
    try {
      ConsistencyToken decoded = tokens.decode(token, "demo");
      assertThat(decoded.thread().tenant()).isEqualTo("demo");
      assertThat(tokens.encode(decoded)).isEqualTo(token);
    } catch (ApiException refused) {
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.code())
          .isIn("invalid_consistency_token", "consistency_token_wrong_tenant");
    }
  }
}
