package dev.comments.query.thread;

import static dev.comments.events.ReadPreference.PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.TestMongo;
import dev.comments.query.moderation.QueueStore;
import dev.comments.query.projection.AppliedEvents;
import dev.comments.query.projection.Stores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rebuild's shadow copy (buffered, each batch's documents written whole at its end) equals the
 * live copy that applied the same log event by event, document for document (hence checksum for
 * checksum), writes the same moderators' queue, and serves the same pages: random histories of
 * every event type, moderation included. Seeded, so a failure names the seed that reproduces it.
 */
class ThreadViewRebuildTest {
  @RegisterExtension static final TestMongo mongo = new TestMongo();

  private record Copy(MongoDatabase database, ThreadViewStore store, ThreadProjection projection) {
    static Copy live(MongoDatabase database) {
      ThreadViewStore store = new ThreadViewStore(database);
      return new Copy(
          database, store, new ThreadProjection(store, readModel(store), queue(database)));
    }

    static Copy shadow(MongoDatabase database) {
      ThreadViewStore store = new ThreadViewStore(database).buffered();
      return new Copy(
          database, store, new ThreadProjection(store, readModel(store), queue(database)));
    }

    private static QueueStore queue(MongoDatabase database) {
      return new QueueStore(database, Stores.UNTAGGED);
    }

    MongoThreadQueries queries() {
      return new MongoThreadQueries(projection.readModel(), new AppliedEvents());
    }

    /**
     * Every document of the copy, as a checksum reads them (by collection, in {@code _id} order),
     * and the moderators' queue it writes.
     */
    List<String> documents() {
      List<String> documents = new ArrayList<>();
      for (Map.Entry<String, MongoCollection<Document>> collection :
          store.collections(PRIMARY).entrySet()) {
        for (Document doc : collection.getValue().find().sort(Sorts.ascending("_id"))) {
          documents.add(collection.getKey() + " " + doc.toJson());
        }
      }
      for (Document doc :
          database.getCollection(QueueStore.COLLECTION).find().sort(Sorts.ascending("_id"))) {
        documents.add(QueueStore.COLLECTION + " " + doc.toJson());
      }
      return documents;
    }
  }

  private static ReadModel readModel(ThreadViewStore store) {
    return new ReadModel(store, 1 << 22, new SimpleMeterRegistry());
  }

  @Test
  void a_rebuilt_copy_holds_the_documents_and_serves_the_pages_of_the_live_copy() {
    for (long seed = 1; seed <= 6; seed++) {
      run(seed, 400);
    }
  }

  private void run(long seed, int steps) {
    Random random = new Random(seed);
    List<ThreadHistory> threads =
        List.of(
            new ThreadHistory(new ThreadId("demo", "r" + seed)),
            new ThreadHistory(new ThreadId("demo", "q" + seed)),
            new ThreadHistory(new ThreadId("x", "t")));
    List<EventEnvelope> log = new ArrayList<>();
    // Enough comments that the first thread soon needs a second bucket.
    for (int i = 0; i < ThreadState.BUCKET_SIZE - 10; i++) {
      log.add(threads.getFirst().post("a0"));
    }
    for (int step = 0; step < steps; step++) {
      log.add(threads.get(random.nextInt(threads.size())).next(random));
    }

    Copy live = Copy.live(mongo.freshDatabase());
    log.forEach(live.projection()::apply);
    Copy shadow = Copy.shadow(mongo.freshDatabase());
    for (int from = 0; from < log.size(); ) {
      int to = Math.min(log.size(), from + 1 + random.nextInt(60));
      for (EventEnvelope event : log.subList(from, to)) {
        shadow.projection().apply(event);
        if (random.nextInt(20) == 0) {
          // A duplicate from the log, as a consumer re-reads after a rewind.
          shadow.projection().apply(log.get(random.nextInt(log.indexOf(event) + 1)));
        }
      }
      shadow.projection().flush();
      from = to;
    }
    shadow.store().writeThrough();

    String context = "seed " + seed;
    assertThat(shadow.documents()).as(context).isEqualTo(live.documents());
    Copy liveFromStore = Copy.live(live.database());
    Copy shadowFromStore = Copy.live(shadow.database());
    for (ThreadHistory history : threads) {
      for (SortOrder sort : SortOrder.values()) {
        for (String viewer : List.of("v1", "v2")) {
          List<ThreadPage> pages = pages(live, history.log.thread(), sort, viewer);
          assertThat(pages(shadow, history.log.thread(), sort, viewer))
              .as(context)
              .isEqualTo(pages);
          assertThat(pages(liveFromStore, history.log.thread(), sort, viewer))
              .as(context)
              .isEqualTo(pages);
          assertThat(pages(shadowFromStore, history.log.thread(), sort, viewer))
              .as(context)
              .isEqualTo(pages);
        }
      }
    }
  }

  /** Every page of a thread a reader walks, cursor after cursor. */
  private static List<ThreadPage> pages(Copy copy, ThreadId thread, SortOrder sort, String viewer) {
    List<ThreadPage> pages = new ArrayList<>();
    String cursor = null;
    do {
      Optional<ThreadPage> page =
          copy.queries()
              .findComments(new FindThreadComments(thread, sort, 40, cursor, 3, viewer), PRIMARY);
      page.ifPresent(pages::add);
      cursor = page.map(ThreadPage::nextCursor).orElse(null);
    } while (cursor != null);
    return pages;
  }
}
