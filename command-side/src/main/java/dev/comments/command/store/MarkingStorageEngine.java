package dev.comments.command.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;

/**
 * The event store's engine with two things around each append, which Axon makes in the unit of
 * work's prepare-commit phase: before it, each stream's appended mark ({@link StreamMarks}) is
 * raised to its last new seq, so that no stored event is ever without a mark; after it succeeded,
 * the events go to {@link DurableAppends}, which tells the listeners (the publisher's hand-off, the
 * in-memory positions) once they are durable. axon-mongo writes without a transaction, so a
 * successful insert is the commit: an event stored is handed off even if a later step of the unit
 * of work fails, as it would be read back from the store.
 *
 * <p>An append is journaled (it returns once durable) unless {@link DurableAppends} pipelines its
 * stream, in which case it goes through {@code unjournaled}, the same engine over a collection
 * whose writes do not wait for the journal, and durability comes with the barrier its command waits
 * for after releasing the thread's lock.
 */
public final class MarkingStorageEngine implements EventStorageEngine {
  private final EventStorageEngine delegate;
  private final EventStorageEngine unjournaled;
  private final StreamMarks marks;
  private final DurableAppends appends;

  /** Every append journaled, told to {@code listeners} once stored. */
  public MarkingStorageEngine(
      EventStorageEngine delegate, StreamMarks marks, List<AppendListener> listeners) {
    this(delegate, delegate, marks, DurableAppends.journaled(listeners));
  }

  /**
   * @param unjournaled the same store, written without waiting for the journal, for the appends
   *     that {@code appends} pipelines
   */
  public MarkingStorageEngine(
      EventStorageEngine delegate,
      EventStorageEngine unjournaled,
      StreamMarks marks,
      DurableAppends appends) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.unjournaled = Objects.requireNonNull(unjournaled, "unjournaled");
    this.marks = Objects.requireNonNull(marks, "marks");
    this.appends = Objects.requireNonNull(appends, "appends");
  }

  @Override
  public void appendEvents(List<? extends EventMessage<?>> events) {
    Map<String, List<DomainEventMessage<?>>> byStream = new LinkedHashMap<>();
    for (EventMessage<?> event : events) {
      if (!(event instanceof DomainEventMessage<?> domain)) {
        // Only thread aggregates write here; an event without a stream could not be marked.
        throw new IllegalStateException("not a thread event: " + event.getIdentifier());
      }
      byStream.computeIfAbsent(domain.getAggregateIdentifier(), s -> new ArrayList<>()).add(domain);
    }
    // A unit of work appends to one stream (one aggregate per command); should one append to
    // several, it is journaled: a barrier's hand-off is told per stream.
    boolean pipelined =
        byStream.size() == 1 && appends.pipelines(byStream.keySet().iterator().next());
    Map<String, Long> publishedBefore = new LinkedHashMap<>();
    byStream.forEach(
        (stream, appended) ->
            publishedBefore.put(
                stream,
                marks.markAppended(stream, appended.getLast().getSequenceNumber()).published()));
    try {
      (pipelined ? unjournaled : delegate).appendEvents(events);
    } catch (RuntimeException e) {
      byStream.keySet().forEach(appends::failed);
      throw e;
    }
    byStream.forEach(
        (stream, appended) -> {
          if (pipelined) {
            appends.storedUnjournaled(stream, appended, publishedBefore.get(stream));
          } else {
            appends.stored(stream, appended, publishedBefore.get(stream));
          }
        });
  }

  @Override
  public void storeSnapshot(DomainEventMessage<?> snapshot) {
    delegate.storeSnapshot(snapshot);
  }

  @Override
  public Stream<? extends TrackedEventMessage<?>> readEvents(
      TrackingToken trackingToken, boolean mayBlock) {
    return delegate.readEvents(trackingToken, mayBlock);
  }

  @Override
  public DomainEventStream readEvents(String aggregateIdentifier, long firstSequenceNumber) {
    return delegate.readEvents(aggregateIdentifier, firstSequenceNumber);
  }

  @Override
  public Optional<DomainEventMessage<?>> readSnapshot(String aggregateIdentifier) {
    return delegate.readSnapshot(aggregateIdentifier);
  }

  @Override
  public Optional<Long> lastSequenceNumberFor(String aggregateIdentifier) {
    return delegate.lastSequenceNumberFor(aggregateIdentifier);
  }

  @Override
  public TrackingToken createTailToken() {
    return delegate.createTailToken();
  }

  @Override
  public TrackingToken createHeadToken() {
    return delegate.createHeadToken();
  }

  @Override
  public TrackingToken createTokenAt(java.time.Instant dateTime) {
    return delegate.createTokenAt(dateTime);
  }
}
