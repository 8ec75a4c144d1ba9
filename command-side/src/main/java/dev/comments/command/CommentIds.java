package dev.comments.command;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Makes comment ids: UUID version 7 (RFC 9562), a millisecond timestamp followed by 74 random bits.
 * Time-ordered ids keep index inserts local and sort roughly by posting time; the random part makes
 * them unguessable and unique without coordination. Written as {@link UUID#toString()} does: 36
 * characters, lower-case hex in groups of 8-4-4-4-12.
 */
public final class CommentIds {
  public static final int LENGTH = 36;

  private static final Pattern FORM =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  CommentIds(Clock clock) {
    this.clock = clock;
  }

  /** Whether {@code id} has the form of an id made here; whether such a comment exists is not. */
  public static boolean isWellFormed(String id) {
    return id != null && id.length() == LENGTH && FORM.matcher(id).matches();
  }

  String next() {
    long millis = clock.millis();
    long msb = (millis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }
}
