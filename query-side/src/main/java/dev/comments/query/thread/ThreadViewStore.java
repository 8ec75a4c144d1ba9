package dev.comments.query.thread;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import dev.comments.events.Author;
import dev.comments.events.CommentStatus;
import dev.comments.events.HostPage;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.query.projection.Stores;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The thread view's collections in the node's MongoDB: the durable copy of the read model, and the
 * one class that knows their field names. Every read and write names its document by {@code _id}
 * ({@code {_id: v}} or {@code {_id: {$in: [...]}}}), the only filters that use an index on the
 * embedded store and on MongoDB alike; conditions such as "only if not yet applied" are checked by
 * the projection against its in-memory copy instead.
 *
 * <ul>
 *   <li>{@code threads}: one per thread, {@code _id} the stream id: {@code seq} of the last event
 *       applied (written last of an event's writes, so it marks a finished event), the lock, and
 *       {@code commentCount}, which says how many comment buckets there are.
 *   <li>{@code comment_buckets}: {@code _id} {@code tenant/thread/<n>}, the thread's comments in
 *       posting order, {@value ThreadState#BUCKET_SIZE} per bucket, and the {@code seq} of the last
 *       event written to it.
 *   <li>{@code viewer_votes}: {@code _id} {@code tenant/thread/<voter>}: the comments of the thread
 *       the voter votes up and down.
 *   <li>{@code flags}: {@code _id} (tenant, comment, flagger), for the moderation queue.
 * </ul>
 */
public final class ThreadViewStore {
  public static final String THREADS = "threads";
  public static final String BUCKETS = "comment_buckets";
  public static final String VIEWER_VOTES = "viewer_votes";
  public static final String FLAGS = "flags";

  /** Collections of the earlier, scanning model; their presence means the view must be rebuilt. */
  private static final List<String> OLD_MODEL = List.of("comments", "user_votes");

  private static final ReplaceOptions REPLACE_OR_INSERT = new ReplaceOptions().upsert(true);
  private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

  private final MongoDatabase database;
  private final MongoCollection<Document> threads;
  private final MongoCollection<Document> buckets;
  private final MongoCollection<Document> viewerVotes;
  private final MongoCollection<Document> flags;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;

  public ThreadViewStore(MongoDatabase database) {
    this(database, Stores.UNTAGGED);
  }

  /** With the node's mapping of read preferences to the driver's (region tags). */
  public ThreadViewStore(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this(database, readPreferences, "");
  }

  /**
   * The copy whose collections' names end in {@code suffix}: a rebuild fills one beside the live
   * copy ({@code ""}, the names above) and then serves from it.
   */
  public ThreadViewStore(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences,
      String suffix) {
    this.database = database;
    this.readPreferences = readPreferences;
    this.threads = database.getCollection(THREADS + suffix);
    this.buckets = database.getCollection(BUCKETS + suffix);
    this.viewerVotes = database.getCollection(VIEWER_VOTES + suffix);
    this.flags = database.getCollection(FLAGS + suffix);
  }

  /** Writes held back by a buffered copy, per collection, in the order they were made. */
  private static final class Pending {
    final List<WriteModel<Document>> threads = new ArrayList<>();
    final List<WriteModel<Document>> buckets = new ArrayList<>();
    final List<WriteModel<Document>> viewerVotes = new ArrayList<>();
    final List<WriteModel<Document>> flags = new ArrayList<>();
  }

  private Pending pending;

  /**
   * A copy that no one reads while it is filled (a rebuild's shadow) holds its writes back and
   * sends them in ordered bulks per collection at {@link #flush()}: the thread documents, the
   * markers of finished events, go last, as they do write by write. Its projection writes each
   * thread and bucket a batch touched once, whole ({@link ThreadProjection#flush}).
   */
  public ThreadViewStore buffered() {
    pending = new Pending();
    return this;
  }

  /** Sends what is held back and writes through from now on (a shadow swapped in). */
  public void writeThrough() {
    flush();
    pending = null;
  }

  boolean isBuffered() {
    return pending != null;
  }

  /** Holds back bucket {@code bucket} of {@code state} whole, as the state has it. */
  void holdBucket(ThreadState state, int bucket) {
    pending.buckets.add(
        new ReplaceOneModel<>(
            eq("_id", bucketId(state.id(), bucket)),
            bucketDocument(state, bucket, state.bucketSeq(bucket)),
            REPLACE_OR_INSERT));
  }

  /** Sends the writes held back, if any; a no-op for a copy that writes through. */
  public void flush() {
    Pending held = pending;
    if (held == null) {
      return;
    }
    pending = new Pending();
    bulk(buckets, held.buckets);
    bulk(viewerVotes, held.viewerVotes);
    bulk(flags, held.flags);
    bulk(threads, held.threads);
  }

  /** Forgets the writes held back (a batch that failed and will be applied again). */
  public void discard() {
    if (pending != null) {
      pending = new Pending();
    }
  }

  private static void bulk(
      MongoCollection<Document> collection, List<WriteModel<Document>> writes) {
    if (!writes.isEmpty()) {
      collection.bulkWrite(writes, new BulkWriteOptions().ordered(true));
    }
  }

  /** The collections of this copy, by their logical names, for a checksum. */
  public Map<String, MongoCollection<Document>> collections(ReadPreference readPreference) {
    Map<String, MongoCollection<Document>> all = new LinkedHashMap<>();
    all.put(THREADS, threads.withReadPreference(readPreferences.apply(readPreference)));
    all.put(BUCKETS, buckets.withReadPreference(readPreferences.apply(readPreference)));
    all.put(VIEWER_VOTES, viewerVotes.withReadPreference(readPreferences.apply(readPreference)));
    all.put(FLAGS, flags.withReadPreference(readPreferences.apply(readPreference)));
    return all;
  }

  /** Every read and write is by {@code _id}: no index beyond MongoDB's own is needed. */
  public void createIndexes() {
    // Kept as the one place a future index of the thread view would go.
  }

  /**
   * Whether the database, whose collections are {@code names}, still holds the thread view of an
   * earlier version of this code.
   */
  public static boolean holdsAnOlderModel(Collection<String> names) {
    return OLD_MODEL.stream().anyMatch(names::contains);
  }

  /** Drops every collection of the thread view, for a rebuild. */
  public void drop() {
    threads.drop();
    buckets.drop();
    viewerVotes.drop();
    flags.drop();
    OLD_MODEL.forEach(name -> database.getCollection(name).drop());
  }

  /**
   * The thread as the store holds it, in two round trips: the thread document, then its comment
   * buckets by {@code _id}. {@code exact} when read from the primary.
   */
  ThreadState load(ThreadId thread, ReadPreference readPreference) {
    Document doc = threads(readPreference).find(eq("_id", thread.streamId())).first();
    boolean exact = readPreference == ReadPreference.PRIMARY;
    if (doc == null) {
      return ThreadState.unknown(thread, exact);
    }
    int bucketCount = ThreadState.bucketCount(number(doc, "commentCount").intValue());
    List<String> ids = new ArrayList<>(bucketCount);
    for (int n = 0; n < bucketCount; n++) {
      ids.add(bucketId(thread, n));
    }
    Map<String, Document> found = new HashMap<>();
    if (!ids.isEmpty()) {
      for (Document bucket : buckets(readPreference).find(in("_id", ids))) {
        found.put(bucket.getString("_id"), bucket);
      }
    }
    List<StoredComment> comments = new ArrayList<>();
    long[] bucketSeqs = new long[bucketCount];
    for (int n = 0; n < bucketCount; n++) {
      Document bucket = found.get(ids.get(n));
      if (bucket == null) {
        // The thread document is written last: a bucket it counts exists, unless dropped.
        throw new IllegalStateException("comment bucket " + ids.get(n) + " is missing");
      }
      bucketSeqs[n] = number(bucket, "seq").longValue();
      for (Document comment : bucket.getList("comments", Document.class)) {
        comments.add(comment(comment));
      }
    }
    return new ThreadState(
        thread,
        number(doc, "seq").longValue(),
        doc.getBoolean("locked", false),
        instant(doc.getDate("lastEventAt")),
        comments,
        bucketSeqs,
        exact);
  }

  /** One voter's votes in a thread, by comment id: one round trip by {@code _id}. */
  Map<String, VoteDirection> viewerVotes(
      ThreadId thread, String voterId, ReadPreference readPreference) {
    Document doc =
        viewerVotes
            .withReadPreference(readPreferences.apply(readPreference))
            .find(eq("_id", viewerVotesId(thread, voterId)))
            .first();
    Map<String, VoteDirection> votes = new HashMap<>();
    if (doc != null) {
      doc.getList("up", String.class, List.of()).forEach(id -> votes.put(id, VoteDirection.UP));
      doc.getList("down", String.class, List.of()).forEach(id -> votes.put(id, VoteDirection.DOWN));
    }
    return Map.copyOf(votes);
  }

  /** Writes the thread document, the marker that every other write of event {@code seq} is done. */
  void writeThread(ThreadState state) {
    Bson filter = eq("_id", state.id().streamId());
    if (pending != null) {
      pending.threads.add(new ReplaceOneModel<>(filter, threadDocument(state), REPLACE_OR_INSERT));
      return;
    }
    threads.replaceOne(filter, threadDocument(state), REPLACE_OR_INSERT);
  }

  /** The thread document of {@code state}, as {@link #writeThread} writes it. */
  static Document threadDocument(ThreadState state) {
    ThreadId thread = state.id();
    return new Document("_id", thread.streamId())
        .append("tenant", thread.tenant())
        .append("thread", thread.thread())
        .append("seq", state.seq())
        .append("locked", state.locked())
        .append("lastEventAt", Date.from(state.lastEventAt()))
        .append("commentCount", state.comments().size());
  }

  /**
   * Writes a bucket whole with the comments of {@code state} it holds. Used for a bucket's first
   * comment: rewriting it after a crash writes the same document again.
   */
  void writeBucket(ThreadState state, int bucket) {
    Bson filter = eq("_id", bucketId(state.id(), bucket));
    Document doc = bucketDocument(state, bucket, state.seq());
    if (pending != null) {
      pending.buckets.add(new ReplaceOneModel<>(filter, doc, REPLACE_OR_INSERT));
      return;
    }
    buckets.replaceOne(filter, doc, REPLACE_OR_INSERT);
  }

  /**
   * Bucket {@code bucket} of {@code state} whole, stamped with {@code seq}: what {@link
   * #writeBucket} writes, and what its later appends and replacements leave.
   */
  static Document bucketDocument(ThreadState state, int bucket, long seq) {
    int from = bucket * ThreadState.BUCKET_SIZE;
    int to = Math.min(state.comments().size(), from + ThreadState.BUCKET_SIZE);
    List<Document> comments = new ArrayList<>();
    for (StoredComment comment : state.comments().subList(from, to)) {
      comments.add(commentDoc(comment));
    }
    return new Document("_id", bucketId(state.id(), bucket))
        .append("seq", seq)
        .append("comments", comments);
  }

  /**
   * Appends a comment to an existing bucket. Not idempotent: the caller checks the bucket's seq.
   */
  void appendToBucket(ThreadId thread, long seq, StoredComment comment, int bucket) {
    Bson filter = eq("_id", bucketId(thread, bucket));
    Document update =
        new Document("$push", new Document("comments", commentDoc(comment)))
            .append("$set", new Document("seq", seq));
    if (pending != null) {
      pending.buckets.add(new UpdateOneModel<>(filter, update));
      return;
    }
    buckets.updateOne(filter, update);
  }

  /** Replaces the comment at {@code position} in its bucket. */
  void replaceInBucket(ThreadId thread, long seq, StoredComment comment, int position) {
    int bucket = position / ThreadState.BUCKET_SIZE;
    int slot = position % ThreadState.BUCKET_SIZE;
    Bson filter = eq("_id", bucketId(thread, bucket));
    Document update =
        new Document(
            "$set", new Document("comments." + slot, commentDoc(comment)).append("seq", seq));
    if (pending != null) {
      pending.buckets.add(new UpdateOneModel<>(filter, update));
      return;
    }
    buckets.updateOne(filter, update);
  }

  /** Sets one voter's vote on one comment; setting the same vote twice changes nothing. */
  void writeVote(
      ThreadId thread, String voterId, String commentId, VoteDirection direction, long seq) {
    Document update =
        new Document(
                "$setOnInsert",
                new Document("tenant", thread.tenant())
                    .append("thread", thread.thread())
                    .append("voterId", voterId))
            .append("$max", new Document("seq", seq));
    switch (direction) {
      case UP ->
          update
              .append("$addToSet", new Document("up", commentId))
              .append("$pull", new Document("down", commentId));
      case DOWN ->
          update
              .append("$addToSet", new Document("down", commentId))
              .append("$pull", new Document("up", commentId));
      case NONE -> update.append("$pull", new Document("up", commentId).append("down", commentId));
    }
    Bson filter = eq("_id", viewerVotesId(thread, voterId));
    if (pending != null) {
      pending.viewerVotes.add(new UpdateOneModel<>(filter, update, UPSERT));
      return;
    }
    viewerVotes.updateOne(filter, update, UPSERT);
  }

  /** Records a flag once: a flagger flags a comment at most once, so the first write stands. */
  void writeFlag(
      ThreadId thread,
      String commentId,
      String flaggerId,
      String reason,
      Instant flaggedAt,
      long seq) {
    Document id =
        new Document("tenant", thread.tenant())
            .append("commentId", commentId)
            .append("flaggerId", flaggerId);
    Document setOnInsert =
        new Document(
            "$setOnInsert",
            new Document("tenant", thread.tenant())
                .append("thread", thread.thread())
                .append("commentId", commentId)
                .append("flaggerId", flaggerId)
                .append("reason", reason)
                .append("flaggedAt", Date.from(flaggedAt))
                .append("seq", seq));
    if (pending != null) {
      pending.flags.add(new UpdateOneModel<>(eq("_id", id), setOnInsert, UPSERT));
      return;
    }
    flags.updateOne(eq("_id", id), setOnInsert, UPSERT);
  }

  static String bucketId(ThreadId thread, int bucket) {
    return thread.streamId() + "/" + bucket;
  }

  /** Unambiguous: neither tenant nor thread may hold a slash, so the voter is all that follows. */
  static String viewerVotesId(ThreadId thread, String voterId) {
    return thread.streamId() + "/" + voterId;
  }

  private MongoCollection<Document> threads(ReadPreference readPreference) {
    return threads.withReadPreference(readPreferences.apply(readPreference));
  }

  private MongoCollection<Document> buckets(ReadPreference readPreference) {
    return buckets.withReadPreference(readPreferences.apply(readPreference));
  }

  private static Document commentDoc(StoredComment comment) {
    Author author = comment.author();
    Document doc =
        new Document("id", comment.id())
            .append("parentId", comment.parentId())
            .append("rootId", comment.rootId())
            .append(
                "author",
                author == null
                    ? null
                    : new Document("kind", author.kind() == Author.Kind.USER ? "user" : "anonymous")
                        .append("id", author.id())
                        .append("name", author.name()))
            .append("text", comment.text())
            .append("postedAt", Date.from(comment.postedAt()))
            .append("editedAt", comment.editedAt() == null ? null : Date.from(comment.editedAt()))
            .append("deleted", comment.deleted())
            .append("up", comment.up())
            .append("down", comment.down())
            .append("status", comment.status().wireName())
            .append("pinned", comment.pinned());
    // Only where there are any: a comment without media is stored as before media existed.
    if (!comment.media().isEmpty()) {
      doc.append("media", comment.media());
    }
    HostPage page = comment.page();
    if (page != null) {
      doc.append("page", new Document("url", page.url()).append("title", page.title()));
    }
    return doc;
  }

  private static StoredComment comment(Document doc) {
    Document author = doc.get("author", Document.class);
    return new StoredComment(
        doc.getString("id"),
        doc.getString("parentId"),
        doc.getString("rootId"),
        author == null
            ? null
            : new Author(
                "user".equals(author.getString("kind")) ? Author.Kind.USER : Author.Kind.ANONYMOUS,
                author.getString("id"),
                author.getString("name")),
        doc.getString("text"),
        instant(doc.getDate("postedAt")),
        instant(doc.getDate("editedAt")),
        doc.getBoolean("deleted", false),
        number(doc, "up").longValue(),
        number(doc, "down").longValue(),
        status(doc.getString("status")),
        doc.getBoolean("pinned", false),
        doc.getList("media", String.class, List.of()),
        page(doc.get("page", Document.class)));
  }

  private static HostPage page(Document page) {
    return page == null ? null : new HostPage(page.getString("url"), page.getString("title"));
  }

  /** A comment stored before statuses existed was shown. */
  private static CommentStatus status(String wireName) {
    for (CommentStatus status : CommentStatus.values()) {
      if (status.wireName().equals(wireName)) {
        return status;
      }
    }
    return CommentStatus.APPROVED;
  }

  private static Number number(Document doc, String field) {
    Number value = doc.get(field, Number.class);
    return value == null ? 0 : value;
  }

  private static Instant instant(Date date) {
    return date == null ? null : date.toInstant();
  }
}
