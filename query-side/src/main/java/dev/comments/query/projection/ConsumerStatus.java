package dev.comments.query.projection;

import dev.comments.query.ProjectionStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The consumer's view of its own progress, written by the consumer thread and read by anyone.
 *
 * <p>{@link #caughtUp()} turns true once every partition's position reached the end offset seen at
 * startup. After that it stays true unless the lag exceeds {@link #FALLEN_BEHIND_EVENTS}: a node
 * that falls that far behind should leave readiness (and DNS) until it catches up again, while the
 * ordinary burst of a few events in flight must not make it flap. It also turns false while the
 * consumer has failed every batch for longer than {@link #FAILING_TOO_LONG}: the lag figures are
 * not refreshed then, and a frozen projection must not keep taking readers.
 */
public final class ConsumerStatus implements ProjectionStatus {
  public static final long FALLEN_BEHIND_EVENTS = 10_000;
  public static final Duration FAILING_TOO_LONG = Duration.ofSeconds(30);

  private final Clock clock;
  private volatile Map<TopicPartition, Long> endAtStart;
  private volatile boolean reachedStartEnd;
  private volatile long lagEvents;
  private volatile Duration lag = Duration.ZERO;
  private volatile Instant failingSince;

  public ConsumerStatus(Clock clock) {
    this.clock = clock;
  }

  @Override
  public boolean caughtUp() {
    Instant failing = failingSince;
    boolean frozen =
        failing != null
            && Duration.between(failing, clock.instant()).compareTo(FAILING_TOO_LONG) > 0;
    return reachedStartEnd && lagEvents <= FALLEN_BEHIND_EVENTS && !frozen;
  }

  @Override
  public long lagEvents() {
    return lagEvents;
  }

  @Override
  public Duration lag() {
    return lag;
  }

  /** The consumer is (re)starting; nothing is known until {@link #started} is called. */
  void reset() {
    endAtStart = null;
    reachedStartEnd = false;
    lagEvents = 0;
    lag = Duration.ZERO;
    failingSince = null;
  }

  /** A batch failed; the first failure of a run of them starts the clock. */
  void failed() {
    if (failingSince == null) {
      failingSince = clock.instant();
    }
  }

  /** A batch succeeded: any run of failures is over. */
  void succeeded() {
    failingSince = null;
  }

  void started(Map<TopicPartition, Long> endOffsets) {
    endAtStart = Map.copyOf(endOffsets);
    lagEvents = endOffsets.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Records the partitions' positions; returns whether this made the node caught up. */
  boolean positions(Map<TopicPartition, Long> positions) {
    Map<TopicPartition, Long> target = endAtStart;
    if (reachedStartEnd || target == null) {
      return false;
    }
    for (Map.Entry<TopicPartition, Long> end : target.entrySet()) {
      Long position = positions.get(end.getKey());
      if (position == null || position < end.getValue()) {
        return false;
      }
    }
    reachedStartEnd = true;
    return true;
  }

  void lagEvents(long events) {
    lagEvents = events;
    if (events == 0) {
      lag = Duration.ZERO;
    }
  }

  /** The newest event just applied was written at {@code time}. */
  void applied(Instant time) {
    Duration age = Duration.between(time, clock.instant());
    lag = age.isNegative() ? Duration.ZERO : age;
  }

  /** A poll brought nothing: whatever the log held has been applied. */
  void idle() {
    lag = Duration.ZERO;
  }
}
