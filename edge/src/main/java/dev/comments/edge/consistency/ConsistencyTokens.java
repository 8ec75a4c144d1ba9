package dev.comments.edge.consistency;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.security.DerivedKeys;
import dev.comments.edge.security.KeyRing;
import dev.comments.events.ThreadId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Encodes and strictly decodes consistency tokens: {@code kid "." base64url(payload) "."
 * base64url(mac)} where kid names the signing key, payload is {@code 2|tenant|streamId|seq} and mac
 * is HMAC-SHA256 over {@code kid "." base64url(payload)} with a key derived from that key's secret
 * for this purpose only. New tokens use the ring's current key; a previous key is accepted until
 * its window ends. URL-safe, opaque to clients, unforgeable; any deviation is refused rather than
 * guessed at.
 */
public final class ConsistencyTokens {
  static final String PURPOSE = "comments/consistency-token/v1";
  static final String VERSION = "2";
  private static final int MAX_LENGTH = 1024;
  private static final Pattern SHAPE =
      Pattern.compile(
          "[A-Za-z0-9_-]{1,32}\\.[A-Za-z0-9_-]{1," + MAX_LENGTH + "}\\.[A-Za-z0-9_-]{43}");
  private static final Pattern SEQ = Pattern.compile("0|[1-9][0-9]{0,18}");
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final KeyRing keys;
  private final Map<String, byte[]> macKeys;
  private final Clock clock;

  public ConsistencyTokens(KeyRing keys, Clock clock) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
    Map<String, byte[]> byId = new HashMap<>();
    byId.put(keys.current().id(), DerivedKeys.derive(keys.current().secret(), PURPOSE));
    for (KeyRing.PreviousKey previous : keys.previous()) {
      byId.put(previous.key().id(), DerivedKeys.derive(previous.key().secret(), PURPOSE));
    }
    this.macKeys = Map.copyOf(byId);
  }

  public String encode(ConsistencyToken token) {
    String payload =
        String.join(
            "|",
            VERSION,
            token.thread().tenant(),
            token.thread().streamId(),
            Long.toString(token.seq()));
    return sign(payload);
  }

  /** Signs any payload; package-private so tests can mint well-signed but wrong tokens. */
  String sign(String payload) {
    String kid = keys.current().id();
    String signed = kid + "." + ENCODER.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    return signed + "." + ENCODER.encodeToString(mac(kid, signed));
  }

  /**
   * @throws ApiException {@code 400 invalid_consistency_token} when malformed, forged or of an
   *     unknown version; {@code 400 consistency_token_wrong_tenant} when made for another tenant
   */
  public ConsistencyToken decode(String token, String expectedTenant) {
    if (token.length() > MAX_LENGTH + 77 || !SHAPE.matcher(token).matches()) {
      throw invalid("the consistency token is malformed");
    }
    int firstDot = token.indexOf('.');
    int lastDot = token.lastIndexOf('.');
    String kid = token.substring(0, firstDot);
    String signed = token.substring(0, lastDot);
    String givenMacText = token.substring(lastDot + 1);
    byte[] givenMac;
    byte[] payloadBytes;
    try {
      givenMac = DECODER.decode(givenMacText);
      payloadBytes = DECODER.decode(token.substring(firstDot + 1, lastDot));
    } catch (IllegalArgumentException e) {
      throw invalid("the consistency token is malformed");
    }
    if (keys.verifying(kid, clock.instant()).isEmpty()) {
      throw invalid("the consistency token was signed with a key this service does not accept");
    }
    if (!MessageDigest.isEqual(givenMac, mac(kid, signed))
        || !ENCODER.encodeToString(givenMac).equals(givenMacText)) {
      throw invalid("the consistency token was not issued by this service");
    }
    // From here on the payload is ours; still parse it as strictly as if it were not.
    String[] parts = new String(payloadBytes, StandardCharsets.UTF_8).split("\\|", -1);
    if (parts.length != 4 || !parts[0].equals(VERSION)) {
      throw invalid("the consistency token has an unsupported version");
    }
    ThreadId thread;
    try {
      thread = ThreadId.ofStreamId(parts[2]);
    } catch (IllegalArgumentException e) {
      throw invalid("the consistency token names no valid thread");
    }
    if (!thread.tenant().equals(parts[1]) || !SEQ.matcher(parts[3]).matches()) {
      throw invalid("the consistency token is malformed");
    }
    long seq;
    try {
      seq = Long.parseLong(parts[3]);
    } catch (NumberFormatException e) {
      throw invalid("the consistency token is malformed");
    }
    if (!thread.tenant().equals(expectedTenant)) {
      throw ApiException.badRequest(
          "consistency_token_wrong_tenant", "the consistency token was issued for another tenant");
    }
    return new ConsistencyToken(thread, seq);
  }

  private byte[] mac(String kid, String signed) {
    return DerivedKeys.hmacSha256(macKeys.get(kid), signed.getBytes(StandardCharsets.US_ASCII));
  }

  private static ApiException invalid(String message) {
    return ApiException.badRequest("invalid_consistency_token", message);
  }
}
