package dev.comments.command.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Projections;
import dev.comments.events.ReadPreference;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.EventStreamUtils;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntry;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.upcasting.event.EventUpcaster;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Reads axon-mongo's {@code domainevents} one event at a time by its exact key, {@code
 * (aggregateIdentifier, sequenceNumber)}: the keys of its unique index with plain values, a lookup
 * that uses the index on any MongoDB, mongo-java-server included (a range or a sort would scan the
 * collection there). Events are upcast and deserialized as Axon reads them.
 */
public final class StoredEvents {
  private static final String COLLECTION = "domainevents";

  private final MongoCollection<Document> collection;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;
  private final Serializer serializer;
  private final EventUpcaster upcaster;
  private final EventEntryConfiguration entries = EventEntryConfiguration.getDefault();

  public StoredEvents(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences,
      Serializer serializer,
      EventUpcaster upcaster) {
    this.collection = database.getCollection(COLLECTION);
    this.readPreferences = Objects.requireNonNull(readPreferences, "readPreferences");
    this.serializer = Objects.requireNonNull(serializer, "serializer");
    this.upcaster = Objects.requireNonNull(upcaster, "upcaster");
  }

  /** The stream's event {@code seq}, if stored. */
  public Optional<DomainEventMessage<?>> find(
      String stream, long seq, ReadPreference readPreference) {
    Document document = collection(readPreference).find(key(stream, seq)).first();
    if (document == null) {
      return Optional.empty();
    }
    DomainEventStream events =
        EventStreamUtils.upcastAndDeserializeDomainEvents(
            Stream.of(new EventEntry(document, entries)), serializer, upcaster);
    return events.hasNext() ? Optional.of(events.next()) : Optional.empty();
  }

  /**
   * The seq of the stream's last stored event, found by key from {@code known} (a seq stored, or
   * {@code -1}) upwards: one read per event after it, plus one.
   */
  public long lastSeqFrom(String stream, long known, ReadPreference readPreference) {
    MongoCollection<Document> events = collection(readPreference);
    long last = known;
    while (events.find(key(stream, last + 1)).projection(Projections.include("_id")).first()
        != null) {
      last++;
    }
    return last;
  }

  private MongoCollection<Document> collection(ReadPreference readPreference) {
    return collection.withReadPreference(readPreferences.apply(readPreference));
  }

  private Bson key(String stream, long seq) {
    return new Document(entries.aggregateIdentifierProperty(), stream)
        .append(entries.sequenceNumberProperty(), seq);
  }
}
