package dev.comments.query.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.query.ProjectionStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumerStatusTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final TopicPartition P0 = new TopicPartition("log", 0);
  private static final TopicPartition P1 = new TopicPartition("log", 1);

  private final MutableClock clock = new MutableClock(NOW);
  private final ConsumerStatus status = new ConsumerStatus(clock);

  private static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** A probe sent now whose answer arrives {@code answeredAfter} later. */
  private Instant probe(Duration answeredAfter, Map<TopicPartition, Long> ends) {
    Instant sentAt = clock.now;
    clock.advance(answeredAfter);
    status.probed(sentAt, ends);
    return sentAt;
  }

  private Instant probe(Map<TopicPartition, Long> ends) {
    return probe(Duration.ZERO, ends);
  }

  /** Started, caught up with an empty log and probed once, at NOW. */
  private void caughtUpWithAnEmptyLog() {
    status.reset();
    status.started(Map.of(P0, 0L));
    status.positions(Map.of(P0, 0L));
    probe(Map.of(P0, 0L));
  }

  // The staleness bound

  @Test
  void before_the_first_catch_up_lag_counts_from_the_start_and_the_node_is_stale() {
    status.reset();
    clock.advance(Duration.ofSeconds(2));

    assertThat(status.lag()).isEqualTo(Duration.ofSeconds(2));
    assertThat(status.stale()).as("no bound is known yet").isTrue();

    status.positions(Map.of(P0, 0L));
    probe(Map.of(P0, 5L));
    clock.advance(Duration.ofSeconds(1));
    assertThat(status.lag())
        .as("the log was reached, but what it held is not applied")
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(status.stale()).isTrue();
  }

  /** The bug this bound replaces: an event written but not yet fetched showed as zero lag. */
  @Test
  void an_event_in_the_log_but_not_yet_applied_holds_the_bound_back_until_it_is() {
    caughtUpWithAnEmptyLog();
    Instant caughtUp = clock.now;
    clock.advance(Duration.ofMillis(100));

    Instant sent = probe(Duration.ofMillis(70), Map.of(P0, 1L));
    clock.advance(Duration.ofMillis(500));
    status.positions(Map.of(P0, 0L));

    assertThat(status.lag()).isEqualTo(Duration.between(caughtUp, clock.now));
    assertThat(status.lagEvents()).isEqualTo(1);

    status.positions(Map.of(P0, 1L));

    assertThat(status.lag()).isEqualTo(Duration.between(sent, clock.now));
    assertThat(status.lagEvents()).isZero();
  }

  @Test
  void a_probe_the_positions_have_already_reached_sets_the_bound_when_it_is_answered() {
    status.reset();
    status.positions(Map.of(P0, 4L, P1, 2L));

    Instant sent = probe(Duration.ofMillis(140), Map.of(P0, 4L, P1, 2L));

    assertThat(status.lag()).isEqualTo(Duration.ofMillis(140));
    assertThat(status.stale()).isFalse();
    assertThat(status.caughtUpAt()).contains(sent);
  }

  @Test
  void the_bound_moves_to_the_newest_pending_probe_the_positions_reach() {
    status.reset();
    status.positions(Map.of(P0, 0L));
    Instant first = probe(Map.of(P0, 2L));
    clock.advance(Duration.ofMillis(100));
    Instant second = probe(Map.of(P0, 5L));
    clock.advance(Duration.ofMillis(100));
    Instant third = probe(Map.of(P0, 9L));
    clock.advance(Duration.ofMillis(100));
    assertThat(status.caughtUpAt()).isEmpty();

    status.positions(Map.of(P0, 6L));
    assertThat(status.caughtUpAt()).as("past the first two, short of the third").contains(second);
    assertThat(status.lag()).isEqualTo(Duration.between(second, clock.now));

    status.positions(Map.of(P0, 9L));
    assertThat(status.caughtUpAt()).contains(third);
    assertThat(first).isBefore(second);
  }

  @Test
  void a_partition_without_an_applied_position_holds_the_bound_back_unless_it_is_empty() {
    status.reset();
    status.positions(Map.of(P0, 3L));

    probe(Map.of(P0, 3L, P1, 2L));
    assertThat(status.caughtUpAt()).as("P1's two records are not applied").isEmpty();
    assertThat(status.lagEvents()).isEqualTo(2);

    Instant emptyP1 = probe(Map.of(P0, 3L, P1, 0L));
    assertThat(status.caughtUpAt()).contains(emptyP1);
  }

  @Test
  void lag_events_are_the_latest_end_offsets_beyond_the_applied_positions_never_negative() {
    status.reset();
    assertThat(status.lagEvents()).as("nothing known yet").isZero();
    status.started(Map.of(P0, 5L, P1, 3L));
    assertThat(status.lagEvents()).as("the end at start, nothing applied").isEqualTo(8);

    status.positions(Map.of(P0, 5L, P1, 1L));
    assertThat(status.lagEvents()).isEqualTo(2);

    probe(Map.of(P0, 9L, P1, 3L));
    assertThat(status.lagEvents()).isEqualTo(6);

    status.positions(Map.of(P0, 12L, P1, 3L));
    assertThat(status.lagEvents())
        .as("a position beyond the last probe's end offsets nothing")
        .isZero();
  }

  @Test
  void a_full_queue_keeps_its_oldest_probes_so_a_consumer_steadily_behind_still_advances() {
    status.reset();
    status.positions(Map.of(P0, 0L));
    Instant oldest = probe(Map.of(P0, 1L));
    Instant newest = oldest;
    for (long end = 2; end <= ConsumerStatus.MAX_PENDING_PROBES + 20; end++) {
      clock.advance(Duration.ofMillis(100));
      newest = probe(Map.of(P0, end));
    }

    status.positions(Map.of(P0, 1L));
    assertThat(status.caughtUpAt()).contains(oldest);

    status.positions(Map.of(P0, ConsumerStatus.MAX_PENDING_PROBES + 20L));
    assertThat(status.caughtUpAt()).contains(newest);
  }

  @Test
  void the_bound_never_moves_back() {
    status.reset();
    status.positions(Map.of(P0, 3L));
    Instant reached = probe(Map.of(P0, 3L));

    status.resumeFrom(reached.minusSeconds(60));

    assertThat(status.caughtUpAt()).contains(reached);
  }

  // Stale

  @Test
  void is_stale_once_the_log_has_not_been_reached_for_longer_than_the_threshold() {
    caughtUpWithAnEmptyLog();

    clock.advance(ProjectionStatus.LOG_UNREACHED);
    assertThat(status.stale()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(status.stale()).isTrue();
    assertThat(status.lag()).isEqualTo(ProjectionStatus.LOG_UNREACHED.plusMillis(1));

    probe(Map.of(P0, 0L));
    assertThat(status.stale()).isFalse();
    assertThat(status.lag()).isZero();
  }

  @Test
  void is_stale_when_the_lag_exceeds_the_threshold_though_the_log_is_reached() {
    caughtUpWithAnEmptyLog();
    Duration step = Duration.ofSeconds(1);
    for (long end = 1; end <= ProjectionStatus.STALE_LAG.toSeconds(); end++) {
      clock.advance(step);
      probe(Map.of(P0, end));
    }
    assertThat(status.lag()).isEqualTo(ProjectionStatus.STALE_LAG);
    assertThat(status.stale()).isFalse();

    clock.advance(Duration.ofMillis(1));
    assertThat(status.stale()).isTrue();

    status.positions(Map.of(P0, 5L));
    assertThat(status.caughtUpAt()).as("the probe sent at 5 s").contains(NOW.plusSeconds(5));
    assertThat(status.stale()).isFalse();
  }

  @Test
  void a_restarted_consumer_starts_from_the_stored_bound_and_is_stale_until_it_reaches_the_log() {
    status.reset();
    status.resumeFrom(NOW.minusSeconds(2));

    assertThat(status.lag()).isEqualTo(Duration.ofSeconds(2));
    assertThat(status.stale()).isFalse();

    clock.advance(ProjectionStatus.LOG_UNREACHED.plusMillis(1));
    assertThat(status.stale()).as("never reached the log since its start").isTrue();
  }

  // Readiness

  /** Readiness found in review: a consumer failing every batch kept answering ready. */
  @Test
  void leaves_readiness_when_every_batch_has_failed_for_too_long_and_returns_on_success() {
    caughtUpWithAnEmptyLog();

    status.failed();
    clock.advance(ConsumerStatus.FAILING_TOO_LONG);
    probe(Map.of(P0, 0L));
    status.failed();
    assertThat(status.caughtUp()).as("failing, but not for too long yet").isTrue();
    clock.advance(Duration.ofSeconds(1));
    probe(Map.of(P0, 0L));
    assertThat(status.caughtUp()).isFalse();

    status.succeeded();
    assertThat(status.caughtUp()).isTrue();
  }

  @Test
  void is_not_caught_up_before_the_consumer_has_started() {
    assertThat(status.caughtUp()).isFalse();
    assertThat(status.positions(Map.of(P0, 100L))).isFalse();
  }

  @Test
  void is_caught_up_once_every_partition_reached_its_end_at_startup() {
    status.reset();
    status.started(Map.of(P0, 5L, P1, 3L));

    assertThat(status.positions(Map.of(P0, 5L, P1, 2L))).isFalse();
    assertThat(status.caughtUp()).isFalse();
    assertThat(status.positions(Map.of(P0, 5L, P1, 3L))).isTrue();

    assertThat(status.caughtUp()).isTrue();
    assertThat(status.positions(Map.of(P0, 5L, P1, 3L))).as("reported once").isFalse();
  }

  @Test
  void stays_caught_up_under_ordinary_lag_and_leaves_when_far_behind_in_events() {
    caughtUpWithAnEmptyLog();

    probe(Map.of(P0, ConsumerStatus.FALLEN_BEHIND_EVENTS));
    assertThat(status.caughtUp()).isTrue();
    probe(Map.of(P0, ConsumerStatus.FALLEN_BEHIND_EVENTS + 1));
    assertThat(status.caughtUp()).isFalse();
    status.positions(Map.of(P0, ConsumerStatus.FALLEN_BEHIND_EVENTS - 2));
    assertThat(status.caughtUp()).isTrue();
  }

  @Test
  void leaves_readiness_when_the_lag_exceeds_the_time_threshold_as_when_cut_off_from_the_log() {
    caughtUpWithAnEmptyLog();

    clock.advance(ConsumerStatus.FALLEN_BEHIND_TIME);
    assertThat(status.stale()).isTrue();
    assertThat(status.caughtUp()).as("stale a while, not yet too long").isTrue();
    clock.advance(Duration.ofMillis(1));
    assertThat(status.caughtUp()).isFalse();

    probe(Map.of(P0, 0L));
    assertThat(status.caughtUp()).isTrue();
  }

  @Test
  void a_restart_forgets_that_it_was_caught_up_and_how_stale_it_was() {
    caughtUpWithAnEmptyLog();
    clock.advance(Duration.ofSeconds(1));

    status.reset();

    assertThat(status.caughtUp()).isFalse();
    assertThat(status.caughtUpAt()).isEmpty();
    assertThat(status.stale()).isTrue();
    assertThat(status.lag()).isZero();
    assertThat(status.lagEvents()).isZero();
  }
}
