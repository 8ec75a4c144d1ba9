package dev.comments.command;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Makes comment ids: UUID version 7 (RFC 9562), a millisecond timestamp followed by 74 random bits.
 * Time-ordered ids keep index inserts local and sort roughly by posting time; the random part makes
 * them unguessable and unique without coordination.
 */
final class CommentIds {
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  CommentIds(Clock clock) {
    this.clock = clock;
  }

  String next() {
    long millis = clock.millis();
    long msb = (millis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }
}
