package dev.comments.command.locator;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.bson.Document;

/**
 * Finds the thread of a comment: edits, deletes, votes and flags name only the tenant and the
 * comment, but the aggregate that decides them is the thread. An entry is written (to the primary)
 * before the post that creates the comment is sent, so every stored comment has one; an entry whose
 * post was refused or lost is harmless, because its thread then answers that the comment does not
 * exist.
 *
 * <p>Collection {@value #COLLECTION}: {@code {_id: "tenant/commentId", tenant, thread, commentId}}.
 * The tenant is part of the key, so a comment id from another tenant is simply unknown.
 */
public final class CommentLocator {
  public static final String COLLECTION = "comment_locator";

  private final MongoCollection<Document> collection;

  /**
   * The collection as {@link #register} writes it: replicated as the node's writes are, not waiting
   * for the journal. The post's append, which follows it, waits for the journal and carries this
   * entry with it; an entry whose post never landed is harmless (above). One wait per post, not
   * two.
   */
  private final MongoCollection<Document> beforePost;

  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;

  /**
   * @param readPreferences the node's mapping of read preferences to the driver's (it knows the
   *     node's region, which {@code nearest} reads prefer)
   */
  public CommentLocator(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this.collection = database.getCollection(COLLECTION);
    this.beforePost = collection.withWriteConcern(database.getWriteConcern().withJournal(false));
    this.readPreferences = Objects.requireNonNull(readPreferences, "readPreferences");
  }

  /** Records where a new comment lives; always written to the primary. */
  public void register(ThreadId thread, String commentId) {
    Objects.requireNonNull(commentId, "commentId");
    beforePost.insertOne(entry(thread, commentId));
  }

  private static Document entry(ThreadId thread, String commentId) {
    return new Document("_id", key(thread.tenant(), commentId))
        .append("tenant", thread.tenant())
        .append("thread", thread.thread())
        .append("commentId", commentId);
  }

  /**
   * Records where many comments live, by comment id, in one bulk insert that waits for the journal:
   * for a tool that fills a stopped node's store offline (the growth benchmark's seeder,
   * infra/bench/SeedStore.java), never for a request. The entries are those {@link #register}
   * writes.
   */
  public void registerAll(Map<String, ThreadId> threadsByCommentId) {
    if (threadsByCommentId.isEmpty()) {
      return;
    }
    List<Document> entries = new ArrayList<>(threadsByCommentId.size());
    threadsByCommentId.forEach((commentId, thread) -> entries.add(entry(thread, commentId)));
    collection.insertMany(entries);
  }

  /** Removes the entry of a comment whose post was refused, so refusals leave nothing behind. */
  public void forget(ThreadId thread, String commentId) {
    collection.deleteOne(Filters.eq("_id", key(thread.tenant(), commentId)));
  }

  /** The thread of a comment of this tenant, if the comment was ever registered. */
  public Optional<ThreadId> find(String tenant, String commentId, ReadPreference readPreference) {
    if (!ThreadId.isValidTenant(tenant) || commentId == null) {
      return Optional.empty();
    }
    Document entry =
        collection
            .withReadPreference(readPreferences.apply(readPreference))
            .find(Filters.eq("_id", key(tenant, commentId)))
            .first();
    return Optional.ofNullable(entry)
        .map(e -> new ThreadId(e.getString("tenant"), e.getString("thread")));
  }

  private static String key(String tenant, String commentId) {
    return tenant + "/" + commentId;
  }
}
