package dev.comments.query.projection;

import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventEnvelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process signal "this event is now in the projection". The consumer publishes every event
 * right after applying it; readers waiting for their own write, and later the live updates of the
 * node's websockets, listen here instead of polling the store.
 */
public final class AppliedEvents {
  private static final Logger log = LoggerFactory.getLogger(AppliedEvents.class);

  /** Called on the consumer thread: it must be quick and must not block. */
  @FunctionalInterface
  public interface Listener {
    void applied(EventEnvelope envelope);
  }

  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Map<ThreadId, List<Waiter>> waiters = new HashMap<>();

  private record Waiter(long seq, CompletableFuture<Void> reached) {}

  /** Adds a listener until the returned handle is closed. */
  public AutoCloseable subscribe(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * A future that completes once an event of {@code thread} with a sequence number of at least
   * {@code seq} is published. Register before checking the store, so that no event can slip between
   * the check and the wait; cancel it when no longer interested, which unregisters it.
   */
  public CompletableFuture<Void> whenReached(ThreadId thread, long seq) {
    CompletableFuture<Void> reached = new CompletableFuture<>();
    Waiter waiter = new Waiter(seq, reached);
    synchronized (waiters) {
      waiters.computeIfAbsent(thread, t -> new ArrayList<>()).add(waiter);
    }
    reached.whenComplete((ignored, failure) -> unregister(thread, waiter));
    return reached;
  }

  /** Signals that {@code envelope} has been applied. */
  public void published(EventEnvelope envelope) {
    List<Waiter> due = new ArrayList<>();
    synchronized (waiters) {
      List<Waiter> ofThread = waiters.get(envelope.stream());
      if (ofThread != null) {
        for (Waiter waiter : ofThread) {
          if (waiter.seq() <= envelope.seq()) {
            due.add(waiter);
          }
        }
      }
    }
    // Completed outside the lock: completion unregisters, which takes the lock again.
    due.forEach(waiter -> waiter.reached().complete(null));
    for (Listener listener : listeners) {
      try {
        listener.applied(envelope);
      } catch (RuntimeException e) {
        // A broken listener must not stop the projection, which every reader of the node needs.
        log.warn("listener {} failed on {} seq {}", listener, envelope.stream(), envelope.seq(), e);
      }
    }
  }

  /** How many readers are waiting for their write to be applied. */
  public int waiterCount() {
    synchronized (waiters) {
      return waiters.values().stream().mapToInt(List::size).sum();
    }
  }

  private void unregister(ThreadId thread, Waiter waiter) {
    synchronized (waiters) {
      List<Waiter> ofThread = waiters.get(thread);
      if (ofThread != null) {
        ofThread.remove(waiter);
        if (ofThread.isEmpty()) {
          waiters.remove(thread);
        }
      }
    }
  }
}
