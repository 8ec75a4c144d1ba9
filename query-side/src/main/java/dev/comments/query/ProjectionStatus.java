package dev.comments.query;

import java.time.Duration;

/**
 * How far this node's projections are behind the event log. Implementations answer from memory and
 * never block: the edge calls them on its IO threads.
 *
 * <p>{@link #lag()} is a bound a reader can rely on, not an estimate: whatever the log held {@code
 * lag()} ago is in the projections. {@link #stale()} says when that bound is too large, or no
 * longer refreshed because the log cannot be reached; reads go on either way, flagged.
 */
public interface ProjectionStatus {
  /** Above this staleness bound a node's reads are {@linkplain #stale() stale}. */
  Duration STALE_LAG = Duration.ofSeconds(10);

  /**
   * A node that has not reached the log for this long is {@linkplain #stale() stale}: a few missed
   * probes (one every 100 ms, each allowed 2 s) are ordinary, this many are not.
   */
  Duration LOG_UNREACHED = Duration.ofSeconds(3);

  /**
   * True once every event that was in the log when the node started has been applied, and as long
   * as the node has not fallen far behind since; the readiness of the node (and of its DNS entry).
   */
  boolean caughtUp();

  /** Events in the log not yet applied, summed over partitions, as of the last look at the log. */
  long lagEvents();

  /**
   * The staleness bound: {@code now - T}, where T is the latest instant such that every event the
   * log held at T has been applied to the projections. Never negative; it grows while nothing new
   * is known, so a node cut off from the log reports an ever larger lag rather than zero.
   */
  Duration lag();

  /**
   * True when the reads of this node should be flagged: the log has not been reached for longer
   * than {@link #LOG_UNREACHED}, {@link #lag()} exceeds {@link #STALE_LAG}, or no bound is known
   * yet. This default knows only the lag; implementations that watch the log override it.
   */
  default boolean stale() {
    return lag().compareTo(STALE_LAG) > 0;
  }
}
