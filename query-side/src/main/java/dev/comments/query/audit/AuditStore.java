package dev.comments.query.audit;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import dev.comments.events.ReadPreference;
import dev.comments.events.StreamId;
import dev.comments.events.ThreadId;
import dev.comments.query.AuditEntry;
import dev.comments.query.AuditQuery;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit projection's collection in the node's MongoDB, and the one class that knows its field
 * names: one document per event, {@code _id} {@code tenant/thread#seq}, with who, what, when and
 * why pulled out for filtering and the event's encoded envelope for replays.
 *
 * <p>Replays of a thread ({@code asOf}, edit history) read by {@code _id} with {@code $in}, which
 * uses an index on the embedded store and on MongoDB. The audit filters (tenant and time, plus a
 * thread or an actor) are range queries sorted by time: MongoDB answers them from the compound
 * indexes made here and streams them from a cursor; the embedded store scans (it indexes only
 * unique keys), which is why the audit is a moderator's tool off the hot path.
 */
public final class AuditStore {
  /** The logical name of the collection; a generation's copy adds its suffix. */
  public static final String COLLECTION = "audit_events";

  static final String TENANT = "tenant";
  static final String THREAD = "thread";

  /** The stream of an event that is not a thread's (a media item's), in place of its thread. */
  static final String STREAM = "stream";

  static final String SEQ = "seq";
  static final String AT = "at";
  static final String TYPE = "type";
  static final String ACTOR = "actor";
  static final String ACTOR_KIND = "actorKind";
  static final String REASON = "reason";
  static final String ENVELOPE = "envelope";

  /** Documents fetched per round trip when a thread's events are read by key. */
  static final int KEYS_PER_READ = 256;

  private static final Logger log = LoggerFactory.getLogger(AuditStore.class);
  private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);

  private final MongoCollection<Document> events;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;

  public AuditStore(
      MongoDatabase database,
      String collection,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this.events = database.getCollection(Objects.requireNonNull(collection, "collection"));
    this.readPreferences = Objects.requireNonNull(readPreferences, "readPreferences");
  }

  /** The indexes the audit filters use on MongoDB; the embedded store keeps them but scans. */
  public void createIndexes() {
    try {
      events.createIndex(
          Indexes.ascending(TENANT, AT, "_id"), new IndexOptions().name("tenant_at"));
      events.createIndex(
          Indexes.ascending(TENANT, THREAD, AT, "_id"),
          new IndexOptions().name("tenant_thread_at"));
      events.createIndex(
          Indexes.ascending(TENANT, ACTOR, AT, "_id"), new IndexOptions().name("tenant_actor_at"));
    } catch (MongoException e) {
      log.warn(
          "the store cannot make the audit indexes; audit queries will scan: {}", e.getMessage());
    }
  }

  public void drop() {
    events.drop();
  }

  static String idOf(StreamId stream, long seq) {
    return stream.streamId() + "#" + seq;
  }

  /** One entry and its encoded event, for {@link #writeAll}. */
  record Write(AuditEntry entry, String envelope) {}

  /**
   * Writes entries in one unordered bulk of upserts by {@code _id}: writing one twice is harmless.
   */
  void writeAll(List<Write> writes) {
    List<ReplaceOneModel<Document>> models = new ArrayList<>(writes.size());
    for (Write write : writes) {
      Document doc = document(write.entry(), write.envelope());
      models.add(new ReplaceOneModel<>(eq("_id", doc.getString("_id")), doc, UPSERT));
    }
    events.bulkWrite(models, new BulkWriteOptions().ordered(false));
  }

  /** Writes one entry; returns whether it was there already (a duplicate). */
  boolean write(AuditEntry entry, String envelope) {
    Document doc = document(entry, envelope);
    return events.replaceOne(eq("_id", doc.getString("_id")), doc, UPSERT).getMatchedCount() > 0;
  }

  private static Document document(AuditEntry entry, String envelope) {
    Document doc =
        new Document("_id", idOf(entry.stream(), entry.seq()))
            .append(TENANT, entry.stream().tenant());
    if (entry.stream() instanceof ThreadId thread) {
      doc.append(THREAD, thread.thread());
    } else {
      doc.append(STREAM, entry.stream().streamId());
    }
    return doc.append(SEQ, entry.seq())
        .append(AT, Date.from(entry.at()))
        .append(TYPE, entry.type())
        .append(ACTOR, entry.actor())
        .append(ACTOR_KIND, entry.actorKind())
        .append(REASON, entry.reason())
        .append(ENVELOPE, envelope);
  }

  /**
   * The entries a query selects, oldest first, from a cursor that fetches {@code batchSize} at a
   * time: never the whole range in memory. The caller closes it.
   */
  MongoCursor<Document> find(AuditQuery query, int batchSize, ReadPreference readPreference) {
    List<Bson> filters = new ArrayList<>();
    filters.add(eq(TENANT, query.tenant()));
    if (query.thread() != null) {
      filters.add(eq(THREAD, query.thread()));
    }
    if (query.actor() != null) {
      filters.add(eq(ACTOR, query.actor()));
    }
    if (query.moderatorsOnly()) {
      filters.add(eq(ACTOR_KIND, Actors.MODERATOR));
    }
    filters.add(gte(AT, Date.from(query.from())));
    filters.add(lt(AT, Date.from(query.to())));
    return collection(readPreference)
        .find(and(filters))
        .sort(Sorts.ascending(AT, "_id"))
        .batchSize(batchSize)
        .iterator();
  }

  /** The stored envelopes of a thread's events {@code from} up to {@code from + count - 1}. */
  List<Document> range(ThreadId thread, long from, int count, ReadPreference readPreference) {
    List<String> ids = new ArrayList<>(count);
    for (long seq = from; seq < from + count; seq++) {
      ids.add(idOf(thread, seq));
    }
    List<Document> found = collection(readPreference).find(in("_id", ids)).into(new ArrayList<>());
    found.sort((a, b) -> Long.compare(seqOf(a), seqOf(b)));
    return found;
  }

  /** One event by its position, or null. */
  Document at(ThreadId thread, long seq, ReadPreference readPreference) {
    return collection(readPreference).find(eq("_id", idOf(thread, seq))).first();
  }

  /** The collection of this copy, by its logical name, for a checksum. */
  public Map<String, MongoCollection<Document>> collections(ReadPreference readPreference) {
    return Map.of(COLLECTION, collection(readPreference));
  }

  static long seqOf(Document doc) {
    return doc.get(SEQ, Number.class).longValue();
  }

  private MongoCollection<Document> collection(ReadPreference readPreference) {
    return events.withReadPreference(readPreferences.apply(readPreference));
  }
}
