package dev.comments.query.projection;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import dev.comments.events.ReadPreference;
import java.time.Clock;
import java.util.Date;
import java.util.Objects;
import java.util.function.Function;
import org.bson.Document;

/**
 * The node a projection database belongs to, in {@value #COLLECTION}. Projections, consumed offsets
 * and the staleness bound are one node's view of the log; a second node pointed at the same
 * database by mistake would move the first one's offsets and vouch for writes it never applied. The
 * first node to start claims the database, and any other node refuses to start on it.
 */
public final class DatabaseOwner {
  public static final String COLLECTION = "node_owner";
  private static final String ID = "owner";

  private final MongoCollection<Document> owner;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;

  public DatabaseOwner(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this.owner = database.getCollection(COLLECTION);
    this.readPreferences = Objects.requireNonNull(readPreferences, "readPreferences");
  }

  /**
   * Claims the database for {@code nodeId}, or confirms that it is already this node's.
   *
   * @throws IllegalStateException when another node owns it
   */
  public void claim(String nodeId, Clock clock, ReadPreference readPreference) {
    try {
      owner.insertOne(
          new Document("_id", ID)
              .append("nodeId", nodeId)
              .append("claimedAt", Date.from(clock.instant())));
      return;
    } catch (MongoWriteException e) {
      if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
        throw e;
      }
    }
    Document existing =
        owner.withReadPreference(readPreferences.apply(readPreference)).find(eq("_id", ID)).first();
    String owned = existing == null ? null : existing.getString("nodeId");
    if (!nodeId.equals(owned)) {
      throw new IllegalStateException(
          "the projection database "
              + owner.getNamespace().getDatabaseName()
              + " belongs to node "
              + owned
              + ", not to "
              + nodeId
              + ": give every node its own comments.mongo.query-database (docs/deploy.md)");
    }
  }

  /** Who owns the database, if anyone has claimed it. */
  public String ownerOf(ReadPreference readPreference) {
    Document existing =
        owner.withReadPreference(readPreferences.apply(readPreference)).find(eq("_id", ID)).first();
    return existing == null ? null : existing.getString("nodeId");
  }
}
