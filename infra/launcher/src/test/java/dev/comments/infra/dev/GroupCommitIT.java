package dev.comments.infra.dev;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store over the real driver: concurrent writes share commits, and what a write was
 * acknowledged for is there after the store is opened again.
 */
class GroupCommitIT {
  private static final int WRITERS = 32;
  private static final int WRITES_EACH = 50;

  @TempDir Path data;

  @Test
  void concurrent_writes_share_commits_and_every_acknowledged_one_is_kept() throws Exception {
    try (EmbeddedMongo mongo = EmbeddedMongo.start(data);
        MongoClient client = MongoClients.create(mongo.connectionString());
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS)) {
      MongoCollection<Document> docs =
          client.getDatabase("test").getCollection("docs").withWriteConcern(WriteConcern.MAJORITY);
      docs.insertOne(new Document("_id", "warm-up"));
      long writesBefore = mongo.commitCounts().writes();
      long commitsBefore = mongo.commitCounts().commits();

      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        all.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < WRITES_EACH; i++) {
                    docs.insertOne(new Document("_id", writer + "-" + i));
                  }
                },
                writers));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();

      long writes = mongo.commitCounts().writes() - writesBefore;
      long commits = mongo.commitCounts().commits() - commitsBefore;
      System.out.printf("%d acknowledged writes, %d commits%n", writes, commits);
      assertThat(writes).isEqualTo(WRITERS * WRITES_EACH);
      assertThat(commits).isLessThan(writes / 2);
    }

    try (EmbeddedMongo mongo = EmbeddedMongo.start(data);
        MongoClient client = MongoClients.create(mongo.connectionString())) {
      assertThat(client.getDatabase("test").getCollection("docs").countDocuments())
          .isEqualTo(1 + WRITERS * WRITES_EACH);
    }
  }

  @Test
  void unjournaled_writes_do_not_wait_for_a_commit_and_journaled_ones_do() throws Exception {
    try (EmbeddedMongo mongo = EmbeddedMongo.start(data);
        MongoClient client = MongoClients.create(mongo.connectionString())) {
      var database = client.getDatabase("test");
      database.getCollection("batch").insertOne(new Document("_id", "create"));
      long writesBefore = mongo.commitCounts().writes();
      MongoCollection<Document> batch =
          database
              .getCollection("batch")
              .withWriteConcern(WriteConcern.MAJORITY.withJournal(false));
      for (int i = 0; i < 100; i++) {
        batch.insertOne(new Document("_id", i));
      }
      assertThat(mongo.commitCounts().writes()).isEqualTo(writesBefore);

      database
          .getCollection("offsets")
          .withWriteConcern(WriteConcern.MAJORITY)
          .insertOne(new Document("_id", "end of batch"));
      assertThat(mongo.commitCounts().writes()).isEqualTo(writesBefore + 1);
    }
  }
}
