package dev.comments.edge.moderation;

import dev.comments.events.ThreadId;
import dev.comments.events.moderation.ModeratorAppointed;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Moderator tokens: {@code mod1.<tenant>.<moderatorId>.<secret>}, the secret 256 random bits. Only
 * the SHA-256 of the secret is recorded (on the moderators' topic), and a token is accepted while
 * its moderator is appointed and the hash matches. They are not signed with the session key ring:
 * rotating the session keys must not sign every moderator out, and a dismissal, not an expiry, is
 * what ends a moderator's access.
 */
public final class ModeratorTokens {
  static final String PREFIX = "mod1.";
  private static final int ID_BYTES = 12;
  private static final int SECRET_BYTES = 32;
  private static final int MAX_TOKEN_LENGTH = 256;
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final SecureRandom random = new SecureRandom();

  /** A new moderator's id, token and the hash to record. */
  public record Issued(String moderatorId, String token, String tokenHash) {}

  /** The parts of a token; nothing is verified yet. */
  public record Parsed(String tenant, String moderatorId, String secret) {}

  public Issued issue(String tenant) {
    String id = random(ID_BYTES);
    String secret = random(SECRET_BYTES);
    return new Issued(id, PREFIX + tenant + "." + id + "." + secret, hash(secret));
  }

  /** The parts of a moderator token, or empty for anything else (a session token, a key). */
  public static Optional<Parsed> parse(String token) {
    if (token.length() > MAX_TOKEN_LENGTH || !token.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String[] parts = token.substring(PREFIX.length()).split("\\.", -1);
    if (parts.length != 3
        || !ThreadId.isValidTenant(parts[0])
        || !ModeratorAppointed.MODERATOR_ID.matcher(parts[1]).matches()
        || parts[2].isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Parsed(parts[0], parts[1], parts[2]));
  }

  /** Whether the token's secret is the one an appointment recorded; in constant time. */
  public static boolean matches(Parsed token, ModeratorAppointed appointed) {
    return MessageDigest.isEqual(
        hash(token.secret()).getBytes(StandardCharsets.US_ASCII),
        appointed.tokenHash().getBytes(StandardCharsets.US_ASCII));
  }

  static String hash(String secret) {
    try {
      return BASE64URL.encodeToString(
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private String random(int bytes) {
    byte[] value = new byte[bytes];
    random.nextBytes(value);
    return BASE64URL.encodeToString(value);
  }
}
