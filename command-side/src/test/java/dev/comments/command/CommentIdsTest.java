package dev.comments.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CommentIdsTest {
  @Test
  void makes_version_7_ids_that_carry_the_clock_time_and_never_repeat() {
    Instant now = Instant.parse("2026-03-01T10:00:00.123Z");
    CommentIds ids = new CommentIds(Clock.fixed(now, ZoneOffset.UTC));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      UUID id = UUID.fromString(ids.next());
      assertThat(id.version()).isEqualTo(7);
      assertThat(id.variant()).isEqualTo(2);
      assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(now.toEpochMilli());
      seen.add(id.toString());
    }
    assertThat(seen).hasSize(10_000);
  }

  @Test
  void ids_of_later_milliseconds_sort_after_earlier_ones() {
    String earlier =
        new CommentIds(Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC)).next();
    String later =
        new CommentIds(Clock.fixed(Instant.parse("2026-03-01T10:00:00.001Z"), ZoneOffset.UTC))
            .next();
    assertThat(later).isGreaterThan(earlier);
  }
}
