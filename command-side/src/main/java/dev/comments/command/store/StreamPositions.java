package dev.comments.command.store;

import dev.comments.command.ThreadPositions;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.axonframework.eventhandling.DomainEventMessage;

/**
 * The last stored seq of each recently used thread, in memory, fed by every append: a {@code
 * primary} read of a thread in it costs no store round trip. A thread not in it is loaded by key:
 * its {@link StreamMarks} document, then its events after the published mark, read by key until one
 * is absent (none when the marks agree). At most {@code maxStreams} threads are kept, least
 * recently used evicted first (about 100 bytes each); a small {@link LinkedHashMap} in access order
 * does that without a cache library on this module's classpath.
 */
public final class StreamPositions implements ThreadPositions, AppendListener {
  public static final int DEFAULT_MAX_STREAMS = 100_000;

  private final StreamMarks marks;
  private final StoredEvents events;
  private final Map<String, Long> lastSeqs;

  public StreamPositions(StreamMarks marks, StoredEvents events, int maxStreams) {
    this.marks = Objects.requireNonNull(marks, "marks");
    this.events = Objects.requireNonNull(events, "events");
    this.lastSeqs =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > maxStreams;
          }
        };
  }

  @Override
  public OptionalLong lastSeq(ThreadId thread, ReadPreference readPreference) {
    String stream = thread.streamId();
    synchronized (lastSeqs) {
      Long known = lastSeqs.get(stream);
      if (known != null) {
        return OptionalLong.of(known);
      }
    }
    long loaded = load(stream, readPreference);
    if (loaded < 0) {
      // Not cached: a thread with no event yet is cheap to ask again, and must not fill the map.
      return OptionalLong.empty();
    }
    synchronized (lastSeqs) {
      // An append while this loaded may have put a later seq: keep the later.
      return OptionalLong.of(lastSeqs.merge(stream, loaded, Math::max));
    }
  }

  private long load(String stream, ReadPreference readPreference) {
    StreamMarks.Marks stored =
        marks.find(stream, readPreference).orElse(new StreamMarks.Marks(stream, -1, -1));
    if (!stored.unpublished() && stored.published() >= 0) {
      // Everything marked is on Kafka, so stored: a later append would have raised the mark first.
      return stored.published();
    }
    return events.lastSeqFrom(stream, stored.published(), readPreference);
  }

  @Override
  public void appended(String stream, List<DomainEventMessage<?>> appended, long publishedBefore) {
    long seq = appended.getLast().getSequenceNumber();
    synchronized (lastSeqs) {
      lastSeqs.merge(stream, seq, Math::max);
    }
  }

  @Override
  public void appendFailed(String stream) {
    // The store may or may not hold the events: the next read loads what it holds.
    synchronized (lastSeqs) {
      lastSeqs.remove(stream);
    }
  }
}
