package dev.comments.query.projection;

import dev.comments.events.LoggedEvent;
import dev.comments.events.codec.EventEnvelope;
import java.util.List;

/**
 * A read model fed by the event log. It must be idempotent by itself: the consumer stores its
 * offsets only after applying, so after a crash, and whenever the log holds a duplicate, an event
 * is applied again and must then change nothing.
 */
public interface Projection {
  /** What applying one event did. */
  enum Outcome {
    /** The event changed the projection. */
    APPLIED,
    /** The event had been applied before; nothing changed. */
    DUPLICATE,
    /**
     * The event was applied although events before it in its stream were never seen: the log
     * skipped a sequence number, which the publisher promises never to do.
     */
    APPLIED_AFTER_GAP
  }

  /**
   * Whether this projection reads events of this kind: a projection of threads follows thread
   * events, one of media items media events. Others are never handed to it.
   */
  default boolean follows(LoggedEvent event) {
    return true;
  }

  Outcome apply(EventEnvelope envelope);

  /**
   * Sees a batch of events before they are applied one by one, in the same order: a projection that
   * can write them in bulk does so here, and its {@link #apply} of each then only reports. A
   * failure here must leave {@link #apply} to do the whole work.
   */
  default void prepare(List<EventEnvelope> batch) {}

  /**
   * The batch is applied: a projection that held writes back sends them now, before the consumer
   * stores its offsets. A failure makes the consumer apply the batch again.
   */
  default void flush() {}

  /** Forgets everything, so that the log can be consumed again from its start. */
  void reset();
}
