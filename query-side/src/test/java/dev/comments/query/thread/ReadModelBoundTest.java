package dev.comments.query.thread;

import static dev.comments.events.ReadPreference.NEAREST;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import dev.comments.events.ThreadId;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.TestMongo;
import dev.comments.query.ThreadLog;
import dev.comments.query.projection.AppliedEvents;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadModelBoundTest {
  private static final int THREADS = 120;
  private static final long MAX_BYTES = 48 * 1024;

  @RegisterExtension static final TestMongo mongo = new TestMongo();

  @Test
  void a_flood_of_reads_of_distinct_cold_threads_stays_within_the_byte_bound_and_is_answered() {
    MongoDatabase database = mongo.freshDatabase();
    ThreadViewStore store = new ThreadViewStore(database);
    ThreadProjection writer =
        new ThreadProjection(store, new ReadModel(store, MAX_BYTES, new SimpleMeterRegistry()));
    for (int t = 0; t < THREADS; t++) {
      ThreadLog log = ThreadLog.of("demo", "flood-" + t);
      for (int c = 0; c < 4; c++) {
        log.post("t" + t + "c" + c, null, "alice", "x".repeat(300));
      }
      log.events().forEach(writer::apply);
    }
    MeterRegistry meters = new SimpleMeterRegistry();
    ReadModel readModel = new ReadModel(new ThreadViewStore(database), MAX_BYTES, meters);
    MongoThreadQueries queries = new MongoThreadQueries(readModel, new AppliedEvents());

    for (int round = 0; round < 2; round++) {
      for (int t = 0; t < THREADS; t++) {
        ThreadPage page =
            queries
                .findComments(
                    new FindThreadComments(
                        new ThreadId("demo", "flood-" + t), SortOrder.OLDEST, 10, null, null),
                    NEAREST)
                .orElseThrow();
        assertThat(page.comments()).hasSize(4);
        readModel.cleanUp();
        assertThat(readModel.bytes()).isLessThanOrEqualTo(MAX_BYTES);
      }
    }

    assertThat(
            meters
                .get("comments.readmodel.evictions")
                .tag("cache", "threads")
                .functionCounter()
                .count())
        .isPositive();
    assertThat(
            meters
                .get("comments.readmodel.misses")
                .tag("cache", "threads")
                .functionCounter()
                .count())
        .isGreaterThan(THREADS);
    assertThat(meters.get("comments.readmodel.bytes").tag("cache", "threads").gauge().value())
        .isPositive();
    double misses =
        meters.get("comments.readmodel.misses").tag("cache", "threads").functionCounter().count();
    readModel.clear();
    assertThat(
            meters
                .get("comments.readmodel.misses")
                .tag("cache", "threads")
                .functionCounter()
                .count())
        .as("a rebuild empties memory, but counters never go back")
        .isEqualTo(misses);
    assertThat(readModel.bytes()).isZero();
  }
}
