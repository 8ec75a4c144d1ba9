package dev.comments.command.publish;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backstop for the store's global stream: it is ordered by event timestamp with a look-back window,
 * so an event inserted longer than that window after its timestamp (a long GC pause between apply
 * and commit) can be passed over for good. A thread's own seqs are gap-free from 0, so when the
 * next event of a stream skips seqs, the missing ones are read back from the event store by stream
 * and sent before it.
 *
 * <p>It remembers the last acknowledged seq of at most {@code maxStreams} streams (least recently
 * published evicted first; about 100 bytes a stream, so 100,000 streams cost ~10 MB). A stream it
 * does not know (first seen since start, or evicted) has no last seq to check against: its first
 * event here is preceded by the stream's events of the {@link #RESEND_WINDOW} before it (at most
 * {@link #RESEND_MAX_EVENTS}, and none written before this publisher started, which its predecessor
 * published), read back from the store, which may send some of them twice but covers a first event
 * passed over under load (seen in the burst test: a thread's seq 0 inserted late, its seq 1 then
 * published unchecked). One store read per such stream. Seqs are remembered only once Kafka
 * acknowledged them, so a batch re-read after a failure is checked again.
 *
 * <p>An event at or below the remembered seq (the stream delivering it again, e.g. after a resend
 * from the persisted position) is sent again rather than skipped: consumers deduplicate by stream
 * and seq, and a wrong skip would lose an event while a resend costs nothing. Used by the
 * publisher's single loop thread only, hence not thread-safe.
 */
final class StreamContinuity {
  static final int DEFAULT_MAX_STREAMS = 100_000;

  /** How far back in time an unknown stream's earlier events are sent again. */
  static final Duration RESEND_WINDOW = Duration.ofMinutes(1);

  static final int RESEND_MAX_EVENTS = 100;

  private static final Logger log = LoggerFactory.getLogger(StreamContinuity.class);

  private final EventStore store;
  private final Instant startedAt;
  private final Map<String, Long> lastAcknowledged;

  /** What to send for one batch, in order, and how many gap events it re-read or missed. */
  record Plan(List<DomainEventMessage<?>> sends, int repaired, int unrepairable) {}

  StreamContinuity(EventStore store, int maxStreams, Instant startedAt) {
    this.store = store;
    this.startedAt = startedAt;
    this.lastAcknowledged =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > maxStreams;
          }
        };
  }

  /** The batch with every missing event of a known stream put before its successor. */
  Plan plan(List<TrackedEventMessage<?>> batch) {
    // Seqs planned earlier in this batch count as sent, but only for this batch.
    Map<String, Long> planned = new HashMap<>();
    List<DomainEventMessage<?>> sends = new ArrayList<>(batch.size());
    int repaired = 0;
    int unrepairable = 0;
    for (TrackedEventMessage<?> message : batch) {
      DomainEventMessage<?> event = domainEvent(message);
      String stream = event.getAggregateIdentifier();
      long seq = event.getSequenceNumber();
      Long last = planned.containsKey(stream) ? planned.get(stream) : lastAcknowledged.get(stream);
      if (last == null && seq > 0) {
        sends.addAll(recentBefore(event));
      } else if (last != null && seq > last + 1) {
        List<DomainEventMessage<?>> missing = readMissing(stream, last + 1, seq);
        sends.addAll(missing);
        repaired += missing.size();
        long lost = seq - last - 1 - missing.size();
        if (lost > 0) {
          log.error(
              "Stream {} skips from seq {} to {} and the store lacks {} of the events between;"
                  + " publishing on without them",
              stream,
              last,
              seq,
              lost);
          unrepairable += (int) lost;
        } else {
          log.warn(
              "Stream {} skipped seqs {}..{}; re-read them from the store",
              stream,
              last + 1,
              seq - 1);
        }
      }
      sends.add(event);
      planned.merge(stream, seq, Math::max);
    }
    return new Plan(sends, repaired, unrepairable);
  }

  /** Kafka acknowledged every send of the plan: later batches are checked against it. */
  void acknowledged(Plan plan) {
    for (DomainEventMessage<?> event : plan.sends()) {
      lastAcknowledged.merge(event.getAggregateIdentifier(), event.getSequenceNumber(), Math::max);
    }
  }

  /** The stream's events before {@code event} written less than the resend window before it. */
  private List<DomainEventMessage<?>> recentBefore(DomainEventMessage<?> event) {
    long seq = event.getSequenceNumber();
    Instant window = event.getTimestamp().minus(RESEND_WINDOW);
    Instant since = window.isAfter(startedAt) ? window : startedAt;
    List<DomainEventMessage<?>> recent = new ArrayList<>();
    for (DomainEventMessage<?> earlier :
        readMissing(event.getAggregateIdentifier(), Math.max(0, seq - RESEND_MAX_EVENTS), seq)) {
      if (!earlier.getTimestamp().isBefore(since)) {
        recent.add(earlier);
      }
    }
    return recent;
  }

  /** Events {@code from..until-1} of the stream; fewer if the store does not have them all. */
  private List<DomainEventMessage<?>> readMissing(String stream, long from, long until) {
    // Axon's EventStore takes no read preference: this reads with the Mongo client's default,
    // primary unless its connection string says otherwise, the member with every committed event.
    List<DomainEventMessage<?>> missing = new ArrayList<>();
    DomainEventStream stored = store.readEvents(stream, from);
    while (stored.hasNext()) {
      DomainEventMessage<?> event = stored.next();
      if (event.getSequenceNumber() >= until) {
        break;
      }
      missing.add(event);
    }
    return missing;
  }

  private static DomainEventMessage<?> domainEvent(EventMessage<?> message) {
    if (message instanceof DomainEventMessage<?> domain) {
      return domain;
    }
    // Only thread aggregates write to this store; anything else is a bug to stop at, not skip.
    throw new IllegalStateException(
        "not a thread event: " + message.getIdentifier() + " " + message.getPayloadType());
  }
}
