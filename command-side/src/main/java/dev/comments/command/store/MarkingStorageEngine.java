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
 * the events go to the listeners (the publisher's hand-off, the in-memory positions). axon-mongo
 * writes without a transaction, so a successful insert is the commit: an event stored is handed off
 * even if a later step of the unit of work fails, as it would be read back from the store.
 */
public final class MarkingStorageEngine implements EventStorageEngine {
  private final EventStorageEngine delegate;
  private final StreamMarks marks;
  private final List<AppendListener> listeners;

  public MarkingStorageEngine(
      EventStorageEngine delegate, StreamMarks marks, List<AppendListener> listeners) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.marks = Objects.requireNonNull(marks, "marks");
    this.listeners = List.copyOf(listeners);
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
    Map<String, Long> publishedBefore = new LinkedHashMap<>();
    byStream.forEach(
        (stream, appended) ->
            publishedBefore.put(
                stream,
                marks.markAppended(stream, appended.getLast().getSequenceNumber()).published()));
    try {
      delegate.appendEvents(events);
    } catch (RuntimeException e) {
      byStream.keySet().forEach(stream -> listeners.forEach(l -> l.appendFailed(stream)));
      throw e;
    }
    byStream.forEach(
        (stream, appended) ->
            listeners.forEach(l -> l.appended(stream, appended, publishedBefore.get(stream))));
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
