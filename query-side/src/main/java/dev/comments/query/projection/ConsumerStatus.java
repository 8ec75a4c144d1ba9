package dev.comments.query.projection;

import dev.comments.query.ProjectionStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * The projection's progress against the log, written by the consumer and probe threads and read by
 * anyone: readers only load volatile fields, writers serialise on a lock of their own.
 *
 * <p><b>Staleness bound.</b> {@link #lag()} is {@code now - T}, T being the latest instant such
 * that every event the log held at T has been applied. A probe ({@link EndOffsetsProbe}) asks the
 * brokers for the end offsets E of every partition, sent at T0; the log held nothing beyond E at
 * T0, since E was read after it. Once the positions the consumer has applied reach E on every
 * partition, T becomes T0. Probes not reached yet wait in a bounded queue; when it is full the
 * newest waiting probe gives way to the one arriving, never the oldest: a consumer that is steadily
 * behind reaches the oldest ones first, and dropping those would keep T from ever advancing. While
 * T is unknown (this run has reached no probe and no earlier run stored one, see {@link
 * OffsetStore#caughtUpAt}), lag is the time since the consumer started and the node is {@link
 * #stale()}: the figure is then a floor, not a bound.
 *
 * <p><b>Readiness.</b> {@link #caughtUp()} turns true once every partition's position reached the
 * end offset seen at startup, so a restarted node stays out until its backlog is applied. After
 * that it stays true unless the node falls behind by more than {@link #FALLEN_BEHIND_EVENTS} events
 * or by more than {@link #FALLEN_BEHIND_TIME} of lag, or the consumer has failed every batch for
 * longer than {@link #FAILING_TOO_LONG}. The lag rule covers a node cut off from the log: once its
 * lag passes 30 s, by which time it has been stale for 20 s or more, it leaves readiness, so DNS
 * sends readers to a region that can see the log; the reads it still gets go on, flagged stale. A
 * short stale spell (a few seconds of an unreachable broker) must not make readiness flap, hence a
 * threshold well above {@link #STALE_LAG}.
 */
public final class ConsumerStatus implements ProjectionStatus {
  public static final long FALLEN_BEHIND_EVENTS = 10_000;
  public static final Duration FALLEN_BEHIND_TIME = Duration.ofSeconds(30);
  public static final Duration FAILING_TOO_LONG = Duration.ofSeconds(30);

  /** Enough for 6 s of probes at 100 ms; a lagging consumer only loses resolution beyond it. */
  static final int MAX_PENDING_PROBES = 64;

  private final Clock clock;
  private final Object writes = new Object();

  // Only the writer threads touch these, holding `writes`.
  private final ArrayDeque<Probe> pending = new ArrayDeque<>();
  private Map<TopicPartition, Long> applied = Map.of();
  private Map<TopicPartition, Long> latestEnd = Map.of();

  // Written holding `writes` (or by the consumer thread alone), read by anyone.
  private volatile Instant startedAt;
  private volatile Instant caughtUpAt;
  private volatile Instant lastReached;
  private volatile long lagEvents;
  private volatile long appliedRecords;
  private volatile Map<TopicPartition, Long> endAtStart;
  private volatile boolean reachedStartEnd;
  private volatile Instant failingSince;

  public ConsumerStatus(Clock clock) {
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  @Override
  public boolean caughtUp() {
    Instant failing = failingSince;
    boolean frozen =
        failing != null
            && Duration.between(failing, clock.instant()).compareTo(FAILING_TOO_LONG) > 0;
    return reachedStartEnd
        && lagEvents <= FALLEN_BEHIND_EVENTS
        && !frozen
        && lag().compareTo(FALLEN_BEHIND_TIME) <= 0;
  }

  @Override
  public long lagEvents() {
    return lagEvents;
  }

  /** The records before the consumer's positions, summed over partitions: its progress. */
  public long appliedRecords() {
    return appliedRecords;
  }

  @Override
  public Duration lag() {
    Instant since = caughtUpAt;
    return since(since == null ? startedAt : since, clock.instant());
  }

  @Override
  public boolean stale() {
    Instant now = clock.instant();
    Instant bound = caughtUpAt;
    if (bound == null) {
      return true;
    }
    Instant reached = lastReached;
    return since(reached == null ? startedAt : reached, now).compareTo(LOG_UNREACHED) > 0
        || since(bound, now).compareTo(STALE_LAG) > 0;
  }

  /**
   * Forgets everything about the projection: its consumer is (re)starting, or it is about to be
   * dropped. Until a probe is reached again the lag counts from now and the node is stale.
   */
  public void reset() {
    synchronized (writes) {
      pending.clear();
      applied = Map.of();
      latestEnd = Map.of();
      startedAt = clock.instant();
      caughtUpAt = null;
      lastReached = null;
      lagEvents = 0;
      appliedRecords = 0;
      endAtStart = null;
      reachedStartEnd = false;
      failingSince = null;
    }
  }

  /** An earlier run of this projection had applied everything the log held at {@code at}. */
  void resumeFrom(Instant at) {
    synchronized (writes) {
      if (caughtUpAt == null || caughtUpAt.isBefore(at)) {
        caughtUpAt = at;
      }
    }
  }

  /** When every event the log held had last been applied, if known; for storing it. */
  Optional<Instant> caughtUpAt() {
    return Optional.ofNullable(caughtUpAt);
  }

  /** The clock lag is measured on, so that probes are timed on the same one. */
  Instant now() {
    return clock.instant();
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

  /** The consumer found these end offsets at startup: readiness waits until they are applied. */
  void started(Map<TopicPartition, Long> endOffsets) {
    synchronized (writes) {
      endAtStart = Map.copyOf(endOffsets);
      if (latestEnd.isEmpty()) {
        latestEnd = endAtStart;
      }
      lagEvents = behind(latestEnd, applied);
    }
  }

  /**
   * The consumer has applied every record before these positions (next offsets to read), after a
   * batch or an empty poll. Returns whether this made the node reach its end at startup.
   */
  boolean positions(Map<TopicPartition, Long> positions) {
    synchronized (writes) {
      applied = Map.copyOf(positions);
      appliedRecords = positions.values().stream().mapToLong(Long::longValue).sum();
      advance();
      lagEvents = behind(latestEnd, applied);
      Map<TopicPartition, Long> target = endAtStart;
      if (reachedStartEnd || target == null || behind(target, applied) > 0) {
        return false;
      }
      reachedStartEnd = true;
      return true;
    }
  }

  /** The log's end offsets, as answered to a request sent at {@code sentAt}. */
  void probed(Instant sentAt, Map<TopicPartition, Long> endOffsets) {
    synchronized (writes) {
      lastReached = clock.instant();
      latestEnd = Map.copyOf(endOffsets);
      if (pending.size() >= MAX_PENDING_PROBES) {
        pending.removeLast();
      }
      pending.addLast(new Probe(sentAt, latestEnd));
      advance();
      lagEvents = behind(latestEnd, applied);
    }
  }

  /** Moves T to the newest probe the applied positions have reached, dropping it and older ones. */
  private void advance() {
    Instant reached = null;
    for (Iterator<Probe> newestFirst = pending.descendingIterator(); newestFirst.hasNext(); ) {
      Probe probe = newestFirst.next();
      if (reached != null) {
        newestFirst.remove();
      } else if (behind(probe.endOffsets(), applied) == 0) {
        reached = probe.sentAt();
        newestFirst.remove();
      }
    }
    if (reached != null && (caughtUpAt == null || caughtUpAt.isBefore(reached))) {
      caughtUpAt = reached;
    }
  }

  /** Records in {@code ends} beyond {@code positions}; a partition without a position is at 0. */
  private static long behind(Map<TopicPartition, Long> ends, Map<TopicPartition, Long> positions) {
    long behind = 0;
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      behind += Math.max(0, end.getValue() - positions.getOrDefault(end.getKey(), 0L));
    }
    return behind;
  }

  private static Duration since(Instant then, Instant now) {
    Duration elapsed = Duration.between(then, now);
    return elapsed.isNegative() ? Duration.ZERO : elapsed;
  }

  private record Probe(Instant sentAt, Map<TopicPartition, Long> endOffsets) {}
}
