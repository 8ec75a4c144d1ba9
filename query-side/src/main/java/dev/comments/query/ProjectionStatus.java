package dev.comments.query;

import java.time.Duration;

/**
 * How far this node's projections are behind the event log. Implementations answer from memory and
 * never block: the edge calls them on its IO threads.
 */
public interface ProjectionStatus {
  /** True once every event that was in the log when the node started has been applied. */
  boolean caughtUp();

  /** Events in the log not yet applied, summed over partitions (as of the last check). */
  long lagEvents();

  /** How old the newest applied event was when it was applied; zero when idle and caught up. */
  Duration lag();
}
