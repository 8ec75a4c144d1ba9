package dev.comments.edge.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One configured secret, one key per purpose: HMAC-SHA256(secret, purpose). A session token can
 * then never pass as a consistency token, or the other way round.
 */
public final class DerivedKeys {
  private DerivedKeys() {}

  public static byte[] derive(byte[] secret, String purpose) {
    return hmacSha256(secret, purpose.getBytes(StandardCharsets.UTF_8));
  }

  public static byte[] hmacSha256(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  /** Compares two secrets in time that depends on neither their content nor their lengths. */
  public static boolean constantTimeEquals(byte[] given, byte[] expected) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      byte[] a = sha256.digest(given);
      byte[] b = sha256.digest(expected);
      return MessageDigest.isEqual(a, b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
