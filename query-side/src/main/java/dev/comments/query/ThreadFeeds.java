package dev.comments.query;

import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/**
 * The live changes of threads as this node's projection applies them: the feed of the edge's
 * websockets and event streams. Replication is the pub/sub: every node consumes the whole log, so
 * each node feeds its own readers.
 */
public interface ThreadFeeds {
  /** The position before a thread's first event: a reader of a thread with no events has it. */
  long BEFORE_FIRST = -1;

  /** Delivers on the projection's thread, under the feeds' lock. */
  Executor DIRECT = Runnable::run;

  /**
   * Starts delivering {@code thread}'s changes after {@code since} (when empty, after the thread's
   * current position on this node) to {@code subscriber}: first those this node still holds in
   * memory, then each new one as it is applied, in order, each once. When the changes after {@code
   * since} are no longer all in memory, the subscription starts at the current position and says
   * {@link Subscription#resync()}: the reader must reload the thread. A {@code since} beyond the
   * node's position (a reader coming from a node further ahead) waits for the node to pass it.
   *
   * <p>Updates reach {@code subscriber} through {@code deliverOn}, which must run its tasks one at
   * a time in the order given (an IO thread's queue, for example): each update is one task for all
   * the thread's subscribers that share that executor, so that a fan-out to many readers costs the
   * projection one hand-off per executor rather than one per reader.
   *
   * @param readPreference how the thread's position is read when it is not in memory
   * @param deliverOn runs the deliveries; {@link #DIRECT} runs them on the projection's thread
   * @throws IllegalArgumentException when {@code since} is below {@link #BEFORE_FIRST}
   */
  Subscription subscribe(
      ThreadId thread,
      OptionalLong since,
      ReadPreference readPreference,
      Executor deliverOn,
      Subscriber subscriber);

  /** Receives a thread's changes. */
  interface Subscriber {
    /**
     * Called by the subscription's executor, in position order. On {@link #DIRECT} that is the
     * projection's thread, under the feeds' lock: it must only hand the update over and return.
     */
    void deliver(LiveUpdate update);
  }

  /**
   * A running subscription.
   *
   * @param position the thread's position on this node when the subscription started
   * @param resync whether changes after the requested position were lost to this node's memory
   */
  record Subscription(long position, boolean resync, AutoCloseable handle)
      implements AutoCloseable {
    /**
     * Stops delivery: nothing is delivered once this returns, except by a delivery the executor was
     * running on another thread meanwhile.
     */
    @Override
    public void close() {
      try {
        handle.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing a feed subscription failed", e);
      }
    }
  }
}
