package dev.comments.query.thread;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Projections.include;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.query.projection.Stores;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import org.bson.Document;

/**
 * The thread view's collections in the node's MongoDB, and the reads the projection itself needs.
 *
 * <ul>
 *   <li>{@code threads}: one per thread, {@code _id} the stream id; {@code seq} is the last event
 *       applied, written last of all an event's writes, so it is the marker of a finished event.
 *   <li>{@code comments}: one per comment, {@code _id} the comment id; its tree position ({@code
 *       parentId}, {@code rootId}, {@code depth}), totals and the {@code seq} of the last event
 *       that changed it.
 *   <li>{@code user_votes}: one per (tenant, comment, voter): the voter's current direction.
 *   <li>{@code flags}: one per (tenant, comment, flagger), for the moderation queue.
 * </ul>
 */
public final class ThreadViewStore {
  public static final String THREADS = "threads";
  public static final String COMMENTS = "comments";
  public static final String USER_VOTES = "user_votes";
  public static final String FLAGS = "flags";

  private final MongoCollection<Document> threads;
  private final MongoCollection<Document> comments;
  private final MongoCollection<Document> userVotes;
  private final MongoCollection<Document> flags;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;

  /** Where a comment sits in its tree. */
  public record Placement(String rootId, int depth) {}

  public ThreadViewStore(MongoDatabase database) {
    this(database, Stores.UNTAGGED);
  }

  /** With the node's mapping of read preferences to the driver's (region tags). */
  public ThreadViewStore(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this.readPreferences = readPreferences;
    this.threads = database.getCollection(THREADS);
    this.comments = database.getCollection(COMMENTS);
    this.userVotes = database.getCollection(USER_VOTES);
    this.flags = database.getCollection(FLAGS);
  }

  /** Creates the indexes the queries need; cheap when they exist already. */
  public void createIndexes() {
    // Top-level pages by time (walked either way) and by score; the trailing _id breaks ties.
    comments.createIndex(
        Indexes.compoundIndex(
            Indexes.ascending("tenant", "thread", "depth"), Indexes.descending("postedAt", "_id")),
        new IndexOptions().name("page_by_time"));
    comments.createIndex(
        Indexes.compoundIndex(
            Indexes.ascending("tenant", "thread", "depth"),
            Indexes.descending("score", "postedAt", "_id")),
        new IndexOptions().name("page_by_score"));
    comments.createIndex(
        Indexes.ascending("tenant", "thread", "rootId"), new IndexOptions().name("reply_trees"));
    userVotes.createIndex(
        Indexes.ascending("tenant", "voterId", "commentId"), new IndexOptions().name("my_votes"));
    flags.createIndex(Indexes.ascending("tenant", "thread"), new IndexOptions().name("by_thread"));
    flags.createIndex(
        Indexes.ascending("tenant", "commentId"), new IndexOptions().name("by_comment"));
  }

  /** Drops every collection of the thread view, for a rebuild. */
  public void drop() {
    threads.drop();
    comments.drop();
    userVotes.drop();
    flags.drop();
  }

  /** The last applied event of the thread, or empty when the projection knows no such thread. */
  public OptionalLong threadSeq(ThreadId thread, ReadPreference readPreference) {
    Document doc =
        threads(readPreference)
            .find(eq("_id", thread.streamId()))
            .projection(include("seq"))
            .first();
    return doc == null
        ? OptionalLong.empty()
        : OptionalLong.of(doc.get("seq", Number.class).longValue());
  }

  /** Where a comment of the thread sits, or empty when the projection does not know it. */
  public Optional<Placement> placement(
      ThreadId thread, String commentId, ReadPreference readPreference) {
    Document doc =
        comments(readPreference)
            .find(
                and(
                    eq("_id", commentId),
                    eq("tenant", thread.tenant()),
                    eq("thread", thread.thread())))
            .projection(include("rootId", "depth"))
            .first();
    return Optional.ofNullable(doc)
        .map(d -> new Placement(d.getString("rootId"), d.get("depth", Number.class).intValue()));
  }

  MongoCollection<Document> threads(ReadPreference readPreference) {
    return threads.withReadPreference(readPreferences.apply(readPreference));
  }

  MongoCollection<Document> comments(ReadPreference readPreference) {
    return comments.withReadPreference(readPreferences.apply(readPreference));
  }

  MongoCollection<Document> userVotes(ReadPreference readPreference) {
    return userVotes.withReadPreference(readPreferences.apply(readPreference));
  }

  MongoCollection<Document> flags(ReadPreference readPreference) {
    return flags.withReadPreference(readPreferences.apply(readPreference));
  }

  /** For writes, which always go to the primary. */
  MongoCollection<Document> threadsForWrite() {
    return threads;
  }

  MongoCollection<Document> commentsForWrite() {
    return comments;
  }

  MongoCollection<Document> userVotesForWrite() {
    return userVotes;
  }

  MongoCollection<Document> flagsForWrite() {
    return flags;
  }
}
