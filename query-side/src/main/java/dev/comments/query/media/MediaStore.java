package dev.comments.query.media;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import dev.comments.events.ReadPreference;
import java.util.Optional;
import java.util.function.Function;
import org.bson.Document;

/**
 * The {@code media} collection of a node's projections, and the one class that knows its fields:
 * one document per item, {@code _id} {@code tenant/mediaId}, read and written by {@code _id} only.
 */
public final class MediaStore {
  public static final String COLLECTION = "media";

  private static final ReplaceOptions REPLACE_OR_INSERT = new ReplaceOptions().upsert(true);

  private final MongoDatabase database;
  private final MongoCollection<Document> media;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;

  public MediaStore(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this.database = database;
    this.media = database.getCollection(COLLECTION);
    this.readPreferences = readPreferences;
  }

  public Optional<MediaView> find(String tenant, String mediaId, ReadPreference readPreference) {
    Document doc =
        media
            .withReadPreference(readPreferences.apply(readPreference))
            .find(eq("_id", id(tenant, mediaId)))
            .first();
    return Optional.ofNullable(doc).map(MediaStore::view);
  }

  public void put(MediaView view) {
    Document doc =
        new Document("_id", id(view.tenant(), view.mediaId()))
            .append("tenant", view.tenant())
            .append("mediaId", view.mediaId())
            .append("contentHash", view.contentHash())
            .append("contentType", view.contentType())
            .append("size", view.size())
            .append("width", view.width())
            .append("height", view.height())
            .append("removed", view.removed())
            .append("seq", view.seq());
    media.replaceOne(eq("_id", doc.get("_id")), doc, REPLACE_OR_INSERT);
  }

  public void drop() {
    database.getCollection(COLLECTION).drop();
  }

  private static String id(String tenant, String mediaId) {
    return tenant + "/" + mediaId;
  }

  private static MediaView view(Document doc) {
    return new MediaView(
        doc.getString("tenant"),
        doc.getString("mediaId"),
        doc.getString("contentHash"),
        doc.getString("contentType"),
        doc.get("size", Number.class).longValue(),
        doc.getInteger("width"),
        doc.getInteger("height"),
        doc.getBoolean("removed"),
        doc.get("seq", Number.class).longValue());
  }
}
