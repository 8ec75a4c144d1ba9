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

  @Test
  void knows_its_own_ids_and_nothing_else_by_their_form() {
    CommentIds ids = new CommentIds(Clock.systemUTC());
    for (int i = 0; i < 1_000; i++) {
      assertThat(CommentIds.isWellFormed(ids.next())).isTrue();
    }
    assertThat(CommentIds.isWellFormed(null)).isFalse();
    assertThat(CommentIds.isWellFormed("c0")).isFalse();
    assertThat(CommentIds.isWellFormed("0190D2F4-8C3A-7B21-9A4E-1F2D3C4B5A69")).isFalse();
    assertThat(CommentIds.isWellFormed("0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a69\n")).isFalse();
    assertThat(CommentIds.isWellFormed("0190d2f4-8c3a-7b21-9a4e-1f2d3c4b5a69")).isTrue();
    assertThat(CommentIds.isWellFormed("0190d2f48c3a7b219a4e1f2d3c4b5a69")).isFalse();
  }
}
