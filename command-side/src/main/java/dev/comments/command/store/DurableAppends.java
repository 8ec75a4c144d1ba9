package dev.comments.command.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.axonframework.eventhandling.DomainEventMessage;

/**
 * Pipelined appends: a command on a thread that other commands wait for appends its events without
 * waiting for the journal, releases the thread's lock, and only then waits for a barrier, one
 * journaled write that every append acknowledged before it was sent shares. So the commands of a
 * hot thread share commits, as commands on different threads already do.
 *
 * <p>This holds only on a store whose durable state is always a prefix of the writes it applied, in
 * the order it applied them, and where a journaled write waits for a commit that holds every write
 * applied before it: the embedded store. On a MongoDB replica set a write acknowledged with {@code
 * w: 1} can be rolled back by a failover, and a later majority write, sent to the new primary, says
 * nothing about it; there the command side appends as before, each append waiting for its own
 * majority write.
 *
 * <p>A command alone on its thread, with nothing of its thread waiting for a barrier, appends
 * journaled as before: its append is its own barrier, and one post still costs three commands to
 * the store. The listeners (the publisher's hand-off, the positions of {@code primary} reads) hear
 * of an append only once it is durable, in seq order per stream: pipelined ones after their
 * barrier, in the order they were appended; a journaled one at once, which is in order too since a
 * stream appends journaled only when none of its appends waits. If a barrier fails, every append it
 * covered is failed: the listeners hear {@link AppendListener#appendFailed}, the thread leaves the
 * aggregate cache (its state may hold events that were never made durable) and every command on a
 * thread that had an append fail while it ran fails, so that no answer, nor any idempotency key
 * remembered from one, claims a write that may be lost.
 */
public final class DurableAppends {
  /** Makes durable every write the store acknowledged before it was called, or throws. */
  @FunctionalInterface
  public interface Barrier {
    void await();
  }

  private final boolean pipelining;
  private final Barrier barrier;
  private final List<AppendListener> listeners;
  private final Consumer<String> evict;
  private final ReentrantLock lock = new ReentrantLock();

  /** Streams with a command running or an append waiting for a barrier; removed when neither. */
  private final Map<String, StreamState> streams = new HashMap<>();

  /** Pipelined appends not yet settled, in the order of their tickets. */
  private final List<Pending> pending = new ArrayList<>();

  /** The ticket of the last pipelined append acknowledged by the store. */
  private long lastTicket;

  /** Every pipelined append up to this ticket is settled: durable, or failed. */
  private long settled;

  /** The barrier being written, which covers the tickets up to its target; null when none. */
  private Round round;

  private long barriers;

  private static final class StreamState {
    int running;
    int waiting;
    long lastTicket;
    long failures;
  }

  private record Pending(
      long ticket, String stream, List<DomainEventMessage<?>> events, long publishedBefore) {}

  private static final class Round {
    final long target;
    final CountDownLatch done = new CountDownLatch(1);

    Round(long target) {
      this.target = target;
    }

    void await() {
      boolean interrupted = false;
      while (true) {
        try {
          done.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A command's view of its stream, from its start: see {@link #started}. */
  public record Started(String stream, long failuresBefore) {}

  /**
   * @param pipelining whether a contended stream's appends are pipelined; false on a replica set
   * @param barrier the journaled write that makes earlier unjournaled ones durable
   * @param evict drops a thread from the aggregate cache
   */
  public DurableAppends(
      boolean pipelining, Barrier barrier, List<AppendListener> listeners, Consumer<String> evict) {
    this.pipelining = pipelining;
    this.barrier = Objects.requireNonNull(barrier, "barrier");
    this.listeners = List.copyOf(listeners);
    this.evict = Objects.requireNonNull(evict, "evict");
  }

  /** Appends that wait for their own journaled write, each told to the listeners at once. */
  public static DurableAppends journaled(List<AppendListener> listeners) {
    return new DurableAppends(false, () -> {}, listeners, stream -> {});
  }

  public boolean pipelining() {
    return pipelining;
  }

  /** A command on {@code stream} is sent: before it waits for the thread's lock. */
  public Started started(String stream) {
    lock.lock();
    try {
      StreamState state = streams.computeIfAbsent(stream, s -> new StreamState());
      state.running++;
      return new Started(stream, state.failures);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether the append the caller is about to make (holding the thread's lock) should be pipelined:
   * another command of the thread is running, or an append of it waits for a barrier.
   */
  boolean pipelines(String stream) {
    if (!pipelining) {
      return false;
    }
    lock.lock();
    try {
      StreamState state = streams.get(stream);
      return state != null && (state.running > 1 || state.waiting > 0);
    } finally {
      lock.unlock();
    }
  }

  /** A journaled append is stored: it is durable, and told at once. */
  void stored(String stream, List<DomainEventMessage<?>> events, long publishedBefore) {
    listeners.forEach(l -> l.appended(stream, events, publishedBefore));
  }

  /** A pipelined append was acknowledged: it waits for the next barrier, as does its command. */
  void storedUnjournaled(String stream, List<DomainEventMessage<?>> events, long publishedBefore) {
    lock.lock();
    try {
      long ticket = ++lastTicket;
      pending.add(new Pending(ticket, stream, List.copyOf(events), publishedBefore));
      StreamState state = streams.computeIfAbsent(stream, s -> new StreamState());
      state.waiting++;
      state.lastTicket = ticket;
    } finally {
      lock.unlock();
    }
  }

  /** An append failed: the store may or may not hold its events. */
  void failed(String stream) {
    listeners.forEach(l -> l.appendFailed(stream));
  }

  /**
   * The command that {@link #started} returned is answered: returns once every append of its stream
   * made so far is durable, having written the barrier itself if none covering them was under way.
   * Throws if an append of its stream failed while the command ran: its own, or one its answer may
   * rest on (a retry answered from the thread's memory).
   */
  public void finished(Started command) {
    try {
      awaitDurable(command);
    } finally {
      lock.lock();
      try {
        StreamState state = streams.get(command.stream());
        if (state != null && --state.running == 0 && state.waiting == 0) {
          streams.remove(command.stream());
        }
      } finally {
        lock.unlock();
      }
    }
  }

  private void awaitDurable(Started command) {
    // The stream's appends made so far, fixed once: the thread's later appends, which keep coming
    // on a hot thread, are the later commands' to wait for.
    long target = -1;
    while (true) {
      Round waitFor;
      boolean lead = false;
      lock.lock();
      try {
        StreamState state = streams.get(command.stream());
        if (state == null) {
          return;
        }
        if (state.failures != command.failuresBefore()) {
          throw new IllegalStateException(
              "an append of stream "
                  + command.stream()
                  + " could not be made durable; this command's outcome is unknown");
        }
        if (target < 0) {
          target = state.lastTicket;
        }
        if (target <= settled) {
          return;
        }
        if (round == null) {
          round = new Round(lastTicket);
          lead = true;
        }
        waitFor = round;
      } finally {
        lock.unlock();
      }
      if (lead) {
        write(waitFor);
      } else {
        waitFor.await();
      }
    }
  }

  /** Writes the barrier, tells the listeners what it settled, then lets the waiters see it. */
  private void write(Round barrierRound) {
    RuntimeException failure = null;
    try {
      barrier.await();
    } catch (RuntimeException e) {
      failure = e;
    }
    List<Pending> covered = new ArrayList<>();
    lock.lock();
    try {
      for (Pending p : pending) {
        if (p.ticket() > barrierRound.target) {
          break;
        }
        covered.add(p);
      }
    } finally {
      lock.unlock();
    }
    // Told before the round ends: the next round cannot start until then, so the listeners hear a
    // stream's appends in seq order; and a stream's next journaled append waits for it too.
    if (failure == null) {
      covered.forEach(p -> stored(p.stream(), p.events(), p.publishedBefore()));
    } else {
      covered.stream().map(Pending::stream).distinct().forEach(evict);
      covered.stream().map(Pending::stream).distinct().forEach(this::failed);
    }
    lock.lock();
    try {
      pending.subList(0, covered.size()).clear();
      for (Pending p : covered) {
        StreamState state = streams.get(p.stream());
        if (failure != null) {
          state.failures++;
        }
        if (--state.waiting == 0 && state.running == 0) {
          streams.remove(p.stream());
        }
      }
      settled = barrierRound.target;
      barriers++;
      round = null;
    } finally {
      lock.unlock();
    }
    barrierRound.done.countDown();
  }

  /** Barriers written so far. */
  public long barriers() {
    lock.lock();
    try {
      return barriers;
    } finally {
      lock.unlock();
    }
  }
}
