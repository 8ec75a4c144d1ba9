package dev.comments.command.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import dev.comments.events.ReadPreference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.bson.Document;

/**
 * Collection {@value #COLLECTION}: one document per event stream, {@code {_id: streamId, appended,
 * published}}, the store-assigned positions that make the publisher lose nothing.
 *
 * <p>{@code appended} is raised to a seq before that event is appended, so every stored event is
 * covered by a mark; {@code published} is raised once Kafka acknowledged the event. A stream whose
 * {@code appended} is above {@code published} may hold events not on Kafka yet; its events from
 * {@code published + 1} are then read by key until one is absent. A mark whose append failed names
 * a seq that is absent, which that read tells; it is left in place (lowering it could race with the
 * thread's next append, which takes the same seq) and costs one keyed read per recovery until then.
 * Every write is on {@code _id} alone, so it uses the key index on any MongoDB.
 */
public final class StreamMarks {
  public static final String COLLECTION = "streams";
  private static final String ID = "_id";
  private static final String APPENDED = "appended";
  private static final String PUBLISHED = "published";

  /** A stream's marks; {@code -1} where none is recorded. */
  public record Marks(String stream, long appended, long published) {
    /** Whether some marked event may not be on Kafka yet. */
    public boolean unpublished() {
      return appended > published;
    }
  }

  private final MongoCollection<Document> collection;

  /**
   * The collection as the append mark writes it: replicated to a majority, not waiting for the
   * journal. The event's own append, which follows it, waits for the journal, and a write that is
   * journaled carries every earlier one with it; an append that never happens leaves a harmless
   * mark. One wait per post, not two.
   */
  private final MongoCollection<Document> beforeAppend;

  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;

  public StreamMarks(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this.collection = database.getCollection(COLLECTION);
    this.beforeAppend = collection.withWriteConcern(database.getWriteConcern().withJournal(false));
    this.readPreferences = Objects.requireNonNull(readPreferences, "readPreferences");
  }

  /**
   * Raises the stream's appended mark to {@code seq}, before the event is appended.
   *
   * @return the marks as they were before
   */
  public Marks markAppended(String stream, long seq) {
    Document before =
        beforeAppend.findOneAndUpdate(
            Filters.eq(ID, stream),
            Updates.max(APPENDED, seq),
            new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.BEFORE));
    return before == null ? new Marks(stream, -1, -1) : marks(before);
  }

  /** Raises each stream's published mark to the seq Kafka acknowledged. */
  public void markPublished(Map<String, Long> lastPublished) {
    if (lastPublished.isEmpty()) {
      return;
    }
    List<WriteModel<Document>> updates = new ArrayList<>(lastPublished.size());
    lastPublished.forEach(
        (stream, seq) ->
            updates.add(
                new UpdateOneModel<>(
                    Filters.eq(ID, stream),
                    Updates.max(PUBLISHED, seq),
                    new UpdateOptions().upsert(true))));
    collection.bulkWrite(updates);
  }

  public Optional<Marks> find(String stream, ReadPreference readPreference) {
    return Optional.ofNullable(
            collection
                .withReadPreference(readPreferences.apply(readPreference))
                .find(Filters.eq(ID, stream))
                .first())
        .map(StreamMarks::marks);
  }

  /**
   * Every stream whose appended mark is above its published one. This reads the whole collection (a
   * comparison of two fields has no index on any MongoDB): for the publisher's start and its
   * periodic sweep only, never for a request.
   */
  public List<Marks> unpublished(ReadPreference readPreference) {
    List<Marks> unpublished = new ArrayList<>();
    for (Document document :
        collection
            .withReadPreference(readPreferences.apply(readPreference))
            .find(Filters.expr(new Document("$gt", List.of("$" + APPENDED, "$" + PUBLISHED))))) {
      Marks marks = marks(document);
      if (marks.unpublished()) {
        unpublished.add(marks);
      }
    }
    return unpublished;
  }

  private static Marks marks(Document document) {
    return new Marks(
        document.getString(ID), longOr(document, APPENDED), longOr(document, PUBLISHED));
  }

  private static long longOr(Document document, String field) {
    return document.get(field) instanceof Number n ? n.longValue() : -1;
  }
}
