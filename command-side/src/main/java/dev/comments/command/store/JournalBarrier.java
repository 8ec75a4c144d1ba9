package dev.comments.command.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;

/**
 * Collection {@value #COLLECTION}: one document, {@code {_id: "barrier"}}, written by every barrier
 * of {@link DurableAppends} with the database's journaled write concern. The write changes nothing
 * once the document exists; what matters is its wait: on the embedded store a journaled write
 * returns once a commit that started after it was applied has finished, and that commit holds every
 * write applied before it, so every unjournaled append acknowledged before the barrier was sent.
 */
public final class JournalBarrier implements DurableAppends.Barrier {
  public static final String COLLECTION = "append_barrier";
  private static final String ID = "_id";
  private static final String BARRIER = "barrier";
  private static final String SINCE = "since";

  private final MongoCollection<Document> collection;

  /**
   * @param database with the write concern of a journaled write
   */
  public JournalBarrier(MongoDatabase database) {
    this.collection = database.getCollection(COLLECTION);
  }

  @Override
  public void await() {
    collection.updateOne(
        Filters.eq(ID, BARRIER), Updates.setOnInsert(SINCE, 0), new UpdateOptions().upsert(true));
  }
}
