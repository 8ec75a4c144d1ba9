package dev.comments.infra.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoWriteException;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store's own format on disk (BSON documents, index keys compared by value): every
 * kind of value the node stores reads back the same after the store is opened again, unique indexes
 * still refuse duplicates and still find by key, and a file of the old format is refused.
 */
class StoredFormatIT {
  @TempDir Path data;

  private static final ObjectId OBJECT_ID = new ObjectId();

  private static List<Document> documents() {
    List<Document> docs = new ArrayList<>();
    docs.add(new Document("_id", "demo/thread-1").append("seq", 7L).append("locked", true));
    docs.add(new Document("_id", 42).append("n", 42));
    docs.add(new Document("_id", OBJECT_ID).append("at", new Date(1_700_000_000_123L)));
    docs.add(
        new Document("_id", new Document("tenant", "demo").append("commentId", "c1"))
            .append("nested", new Document("list", List.of(1, "two", 3.5, List.of(false))))
            .append("bytes", new Binary(new byte[] {1, 2, 3}))
            .append("none", null)
            .append("text", "é, 中文 and a \u0000 in the middle"));
    return docs;
  }

  @Test
  void documents_and_unique_keys_read_back_the_same_after_the_store_is_opened_again()
      throws Exception {
    try (EmbeddedMongo mongo = EmbeddedMongo.start(data);
        MongoClient client = MongoClients.create(mongo.connectionString())) {
      MongoCollection<Document> docs = client.getDatabase("test").getCollection("docs");
      docs.createIndex(
          Indexes.ascending("tenant", "number"), new IndexOptions().unique(true).sparse(true));
      docs.insertMany(documents());
      docs.insertOne(new Document("_id", "keyed").append("tenant", "demo").append("number", 1));
      for (int i = 0; i < 2_000; i++) {
        // Enough documents for the B-trees to split into many pages.
        docs.insertOne(
            new Document("_id", "filler-" + i).append("tenant", "t").append("number", i));
      }
      docs.updateOne(Filters.eq("_id", 42), Updates.inc("n", 1));
    }

    try (EmbeddedMongo mongo = EmbeddedMongo.start(data);
        MongoClient client = MongoClients.create(mongo.connectionString())) {
      MongoCollection<Document> docs = client.getDatabase("test").getCollection("docs");
      for (Document expected : documents()) {
        Object id = expected.get("_id");
        Document found = docs.find(Filters.eq("_id", id)).first();
        if (Integer.valueOf(42).equals(id)) {
          expected.put("n", 43);
        }
        assertThat(found).as("document %s", id).isEqualTo(expected);
      }
      assertThat(docs.find(Filters.eq("_id", "filler-1234")).first()).containsEntry("number", 1234);
      assertThat(docs.countDocuments()).isEqualTo(documents().size() + 1 + 2_000);

      assertThatThrownBy(() -> docs.insertOne(new Document("_id", OBJECT_ID)))
          .isInstanceOf(MongoWriteException.class)
          .hasMessageContaining("E11000");
      assertThatThrownBy(
              () ->
                  docs.insertOne(
                      new Document("_id", "other").append("tenant", "t").append("number", 1999)))
          .isInstanceOf(MongoWriteException.class)
          .hasMessageContaining("E11000");
      // A filter that pins _id beside other conditions finds by the key, then checks the rest.
      assertThat(
              docs.find(Filters.and(Filters.eq("_id", "filler-7"), Filters.eq("number", 7)))
                  .first())
          .containsEntry("tenant", "t");
      assertThat(docs.find(Filters.and(Filters.eq("_id", "filler-7"), Filters.eq("number", 8))))
          .isEmpty();
      assertThat(
              docs.updateOne(
                      Filters.and(Filters.eq("_id", "filler-8"), Filters.exists("status", false)),
                      Updates.set("status", "done"))
                  .getModifiedCount())
          .isEqualTo(1);
      assertThat(
              docs.updateOne(
                      Filters.and(Filters.eq("_id", "filler-8"), Filters.exists("status", false)),
                      Updates.set("status", "again"))
                  .getModifiedCount())
          .isZero();
      // As on MongoDB, 42 and 42L are one key.
      assertThatThrownBy(() -> docs.insertOne(new Document("_id", 42L)))
          .isInstanceOf(MongoWriteException.class)
          .hasMessageContaining("E11000");
    }
  }

  /**
   * mongo-java-server updates a stored document in place, and H2 encodes the documents of a page
   * when it commits, on the committer's thread: without private copies, an update racing a commit
   * broke the encoding (ConcurrentModificationException) and closed the store for good.
   */
  @Test
  void updates_racing_commits_leave_the_store_open_and_whole() throws Exception {
    int writers = 8;
    int pushesEach = 400;
    try (EmbeddedMongo mongo = EmbeddedMongo.start(data);
        MongoClient client = MongoClients.create(mongo.connectionString());
        ExecutorService pool = Executors.newFixedThreadPool(2 * writers)) {
      MongoCollection<Document> buckets =
          client
              .getDatabase("test")
              .getCollection("buckets")
              .withWriteConcern(WriteConcern.MAJORITY.withJournal(false));
      MongoCollection<Document> journaled =
          client
              .getDatabase("test")
              .getCollection("events")
              .withWriteConcern(WriteConcern.MAJORITY);
      List<Future<?>> all = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        all.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < pushesEach; i++) {
                    buckets.updateOne(
                        Filters.eq("_id", "bucket-" + (i % 4)),
                        Updates.combine(
                            Updates.push("comments", new Document("w", writer).append("i", i)),
                            // A field added and one removed: the in-place update changes the
                            // document's shape, which is what broke a concurrent encoding.
                            Updates.unset("by-" + writer + "-" + (i - 1)),
                            Updates.set("by-" + writer + "-" + i, i)),
                        new UpdateOptions().upsert(true));
                  }
                }));
        all.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < pushesEach; i++) {
                    journaled.insertOne(new Document("_id", writer + "-" + i));
                  }
                }));
      }
      for (Future<?> writer : all) {
        writer.get();
      }
    }
    try (EmbeddedMongo mongo = EmbeddedMongo.start(data);
        MongoClient client = MongoClients.create(mongo.connectionString())) {
      long pushed = 0;
      for (Document bucket : client.getDatabase("test").getCollection("buckets").find()) {
        pushed += bucket.getList("comments", Document.class).size();
      }
      assertThat(pushed).isEqualTo((long) writers * pushesEach);
      assertThat(client.getDatabase("test").getCollection("events").countDocuments())
          .isEqualTo((long) writers * pushesEach);
    }
  }

  @Test
  void a_file_of_the_earlier_format_is_refused_with_a_message_and_left_as_it_was()
      throws Exception {
    Path file = Files.createDirectories(data).resolve("mongo.mv");
    H2Backend old = new H2Backend(file.toString());
    MongoServer server = new MongoServer(old);
    var address = server.bind();
    try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort())) {
      client.getDatabase("test").getCollection("docs").insertOne(new Document("_id", "old"));
    } finally {
      server.shutdownNow();
    }
    byte[] before = Files.readAllBytes(file);

    assertThatThrownBy(() -> EmbeddedMongo.start(data))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("earlier build")
        .hasMessageContaining("--data-dir");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }
}
