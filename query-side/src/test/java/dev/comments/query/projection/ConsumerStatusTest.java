package dev.comments.query.projection;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

  /** Readiness found in review: a consumer failing every batch kept answering ready. */
  @Test
  void leaves_readiness_when_every_batch_has_failed_for_too_long_and_returns_on_success() {
    status.started(Map.of(P0, 0L));
    status.positions(Map.of(P0, 0L));

    status.failed();
    clock.now = NOW.plus(ConsumerStatus.FAILING_TOO_LONG);
    status.failed();
    assertThat(status.caughtUp()).as("failing, but not for too long yet").isTrue();
    clock.now = clock.now.plusSeconds(1);
    assertThat(status.caughtUp()).isFalse();

    status.succeeded();
    assertThat(status.caughtUp()).isTrue();
  }

  private static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void is_not_caught_up_before_the_consumer_has_started() {
    assertThat(status.caughtUp()).isFalse();
    assertThat(status.positions(Map.of(P0, 100L))).isFalse();
  }

  @Test
  void is_caught_up_once_every_partition_reached_its_end_at_startup() {
    status.started(Map.of(P0, 5L, P1, 3L));
    assertThat(status.lagEvents()).isEqualTo(8);

    assertThat(status.positions(Map.of(P0, 5L, P1, 2L))).isFalse();
    assertThat(status.caughtUp()).isFalse();
    assertThat(status.positions(Map.of(P0, 5L, P1, 3L))).isTrue();
    status.lagEvents(0);

    assertThat(status.caughtUp()).isTrue();
    assertThat(status.positions(Map.of(P0, 5L, P1, 3L))).as("reported once").isFalse();
  }

  @Test
  void stays_caught_up_under_ordinary_lag_and_leaves_when_far_behind() {
    status.started(Map.of(P0, 0L));
    status.positions(Map.of(P0, 0L));

    status.lagEvents(ConsumerStatus.FALLEN_BEHIND_EVENTS);
    assertThat(status.caughtUp()).isTrue();
    status.lagEvents(ConsumerStatus.FALLEN_BEHIND_EVENTS + 1);
    assertThat(status.caughtUp()).isFalse();
    status.lagEvents(3);
    assertThat(status.caughtUp()).isTrue();
  }

  @Test
  void lag_is_the_age_of_the_newest_applied_event_and_zero_when_idle() {
    status.applied(NOW.minusSeconds(7));
    assertThat(status.lag()).isEqualTo(Duration.ofSeconds(7));

    status.applied(NOW.plusSeconds(2));
    assertThat(status.lag()).as("clock skew never makes lag negative").isEqualTo(Duration.ZERO);

    status.applied(NOW.minusSeconds(7));
    status.idle();
    assertThat(status.lag()).isEqualTo(Duration.ZERO);
  }

  @Test
  void a_restart_forgets_that_it_was_caught_up() {
    status.started(Map.of(P0, 0L));
    status.positions(Map.of(P0, 0L));

    status.reset();

    assertThat(status.caughtUp()).isFalse();
  }
}
