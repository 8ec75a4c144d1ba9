package dev.comments.query.archfixture;

import com.mongodb.client.MongoCollection;
import dev.comments.events.ReadPreference;
import java.util.List;
import java.util.Optional;
import org.bson.Document;

/** Breaks the read-preference rule in every way the rule must catch, and obeys it once. */
public final class CarelessStore {
  private final MongoCollection<Document> collection;

  public CarelessStore(MongoCollection<Document> collection) {
    this.collection = collection;
  }

  public Document readsDirectly() {
    return collection.find().first();
  }

  public long readsThroughAPrivateHelper() {
    return count();
  }

  public Optional<Document> readsInALambda(List<String> ids) {
    return ids.stream().map(id -> collection.find(new Document("_id", id)).first()).findFirst();
  }

  public Document readsWithAPreference(ReadPreference readPreference) {
    return collection.find().first();
  }

  public void onlyWrites(Document doc) {
    collection.insertOne(doc);
  }

  private long count() {
    return collection.countDocuments();
  }
}
