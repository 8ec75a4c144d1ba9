package dev.comments.query.projection;

import static dev.comments.events.ReadPreference.PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import dev.comments.query.TestMongo;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OffsetStoreTest {
  private static final Instant T = Instant.parse("2026-01-01T12:00:00Z");
  private static final TopicPartition P0 = new TopicPartition("log", 0);

  @RegisterExtension static final TestMongo mongo = new TestMongo();

  private final MongoCollection<Document> collection =
      mongo.freshDatabase().getCollection(OffsetStore.COLLECTION);
  private final OffsetStore offsets = new OffsetStore(collection, "node-a", Clock.systemUTC());

  @Test
  void keeps_the_staleness_bound_per_topic_apart_from_the_positions() {
    assertThat(offsets.caughtUpAt("log", PRIMARY)).isEmpty();

    offsets.store(Map.of(P0, 7L));
    offsets.storeCaughtUpAt("log", T.minusSeconds(1));
    offsets.storeCaughtUpAt("log", T);

    assertThat(offsets.caughtUpAt("log", PRIMARY)).contains(T);
    assertThat(offsets.caughtUpAt("other", PRIMARY)).isEmpty();
    assertThat(offsets.load("log", PRIMARY)).isEqualTo(Map.of(P0, 7L));
  }

  @Test
  void a_reset_forgets_the_staleness_bound_with_the_positions() {
    offsets.store(Map.of(P0, 7L));
    offsets.storeCaughtUpAt("log", T);

    offsets.reset();

    assertThat(offsets.caughtUpAt("log", PRIMARY)).isEmpty();
    assertThat(offsets.load("log", PRIMARY)).isEmpty();
  }

  @Test
  void two_nodes_sharing_one_collection_never_move_each_others_positions() {
    OffsetStore other = new OffsetStore(collection, "node-b", Clock.systemUTC());
    offsets.store(Map.of(P0, 7L));
    offsets.storeCaughtUpAt("log", T);

    other.store(Map.of(P0, 3L));
    other.storeCaughtUpAt("log", T.minusSeconds(60));
    other.reset();

    assertThat(offsets.load("log", PRIMARY)).isEqualTo(Map.of(P0, 7L));
    assertThat(offsets.caughtUpAt("log", PRIMARY)).contains(T);
    assertThat(other.load("log", PRIMARY)).isEmpty();
  }
}
