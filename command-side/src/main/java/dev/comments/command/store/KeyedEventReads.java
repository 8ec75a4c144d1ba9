package dev.comments.command.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.axonframework.eventhandling.DomainEventData;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.DocumentPerEventStorageStrategy;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.bson.Document;

/**
 * axon-mongo's one-document-per-event storage, with every read of one thread's events made by the
 * exact key of a unique index, so that its cost does not grow with the store.
 *
 * <p>axon-mongo reads a thread with {@code {aggregateIdentifier: id, sequenceNumber: {$gte: n}}}
 * sorted by sequence number, and its last sequence number with a descending sort. A replica set
 * answers both from the compound index; mongo-java-server, the embedded default, uses an index only
 * for a filter made of exactly a unique index's keys with plain values, and scans the whole {@code
 * domainevents} collection for those. Here a thread's events are fetched one by one by {@code
 * (aggregateIdentifier, sequenceNumber)}, which Axon keeps gap-free from 0; a new thread costs one
 * lookup of seq 0; the last sequence number is found by a galloping search from the snapshot's. The
 * snapshot, one document per thread (axon-mongo replaces it), gets a unique index of its own on the
 * thread's id. On a replica set each lookup is a round trip: a thread load costs at most one per
 * event since its snapshot, and only on a cache miss.
 */
public final class KeyedEventReads extends DocumentPerEventStorageStrategy {
  private static final String SNAPSHOT_INDEX = "uniqueAggregateSnapshotIndex";

  private final MongoCollection<Document> snapshots;

  /**
   * @param snapshots the collection of the snapshots, where a search for a thread's last sequence
   *     number starts
   */
  public KeyedEventReads(MongoCollection<Document> snapshots) {
    // The look-back only serves axon's global stream, which the publisher no longer tails.
    super(EventEntryConfiguration.getDefault(), null);
    this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
  }

  @Override
  public void ensureIndexes(
      MongoCollection<Document> eventsCollection, MongoCollection<Document> snapshotsCollection) {
    super.ensureIndexes(eventsCollection, snapshotsCollection);
    snapshotsCollection.createIndex(
        Indexes.ascending(eventConfiguration().aggregateIdentifierProperty()),
        new IndexOptions().unique(true).name(SNAPSHOT_INDEX));
  }

  @Override
  public List<? extends DomainEventData<?>> findDomainEvents(
      MongoCollection<Document> collection,
      String aggregateIdentifier,
      long firstSequenceNumber,
      int batchSize) {
    List<DomainEventData<?>> events = new ArrayList<>();
    for (long seq = firstSequenceNumber; events.size() < batchSize; seq++) {
      Document document = collection.find(key(aggregateIdentifier, seq)).first();
      if (document == null) {
        break;
      }
      extractEvents(document).forEach(events::add);
    }
    return events;
  }

  @Override
  public Stream<? extends DomainEventData<?>> findSnapshots(
      MongoCollection<Document> snapshotCollection, String aggregateIdentifier) {
    Document snapshot =
        snapshotCollection
            .find(
                new Document(
                    eventConfiguration().aggregateIdentifierProperty(), aggregateIdentifier))
            .first();
    return Stream.ofNullable(snapshot).map(this::extractSnapshot);
  }

  /** A thread has one snapshot document, replaced in place: there is never an older one. */
  @Override
  public void deleteSnapshots(
      MongoCollection<Document> snapshotCollection,
      String aggregateIdentifier,
      long sequenceNumber) {
    // Nothing to delete, and axon-mongo's range filter would scan the collection.
  }

  @Override
  public Optional<Long> lastSequenceNumberFor(
      MongoCollection<Document> eventsCollection, String aggregateIdentifier) {
    Document snapshot =
        snapshots
            .find(
                new Document(
                    eventConfiguration().aggregateIdentifierProperty(), aggregateIdentifier))
            .projection(new Document(eventConfiguration().sequenceNumberProperty(), 1))
            .first();
    long present;
    if (snapshot != null) {
      present = snapshot.getLong(eventConfiguration().sequenceNumberProperty());
    } else if (exists(eventsCollection, aggregateIdentifier, 0)) {
      present = 0;
    } else {
      return Optional.empty();
    }
    // From the snapshot's seq, gallop to a seq that is missing, then halve the gap between the
    // last present and it.
    long step = 1;
    while (exists(eventsCollection, aggregateIdentifier, present + step)) {
      present += step;
      step *= 2;
    }
    long missing = present + step;
    while (missing - present > 1) {
      long middle = present + (missing - present) / 2;
      if (exists(eventsCollection, aggregateIdentifier, middle)) {
        present = middle;
      } else {
        missing = middle;
      }
    }
    return Optional.of(present);
  }

  private boolean exists(MongoCollection<Document> events, String aggregateIdentifier, long seq) {
    return events.find(key(aggregateIdentifier, seq)).projection(new Document("_id", 1)).first()
        != null;
  }

  /** Exactly the keys of axon-mongo's unique index, with plain values (not an {@code $and}). */
  private Document key(String aggregateIdentifier, long seq) {
    return new Document(eventConfiguration().aggregateIdentifierProperty(), aggregateIdentifier)
        .append(eventConfiguration().sequenceNumberProperty(), seq);
  }
}
