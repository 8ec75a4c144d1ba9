package dev.comments.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import dev.comments.query.projection.OffsetStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import org.bson.Document;
import org.junit.jupiter.api.Test;

class QuerySideTest {
  @Test
  void starts_serving_reads_without_waiting_for_kafka_and_closes_while_it_is_unreachable()
      throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (TestMongo mongo = new TestMongo()) {
      QuerySide side =
          QuerySide.start(
              QuerySideSettings.defaults("127.0.0.1:" + closedPort, "unit"),
              mongo.client(),
              meters,
              Clock.systemUTC());

      assertThat(side.status().caughtUp()).isFalse();
      assertThat(side.status().stale()).as("the log was never reached").isTrue();
      assertThat(
              side.queries()
                  .findComments(
                      new FindThreadComments(
                          new ThreadId("demo", "t"), SortOrder.TOP, 5, null, null),
                      ReadPreference.NEAREST))
          .isEmpty();
      assertThat(
              side.queries()
                  .awaitSeq(
                      new ThreadId("demo", "t"), 0, Duration.ofMillis(50), ReadPreference.PRIMARY))
          .isFalse();
      assertThat(meters.find("comments.projection.lag.events").gauge()).isNotNull();
      assertThat(meters.find("comments.projection.lag.seconds").gauge()).isNotNull();
      assertThat(meters.get("comments.projection.stale").gauge().value()).isEqualTo(1);

      side.close();
      side.close();
      assertThat(side.status().caughtUp()).isFalse();
    }
  }

  @Test
  void a_second_node_pointed_at_another_nodes_database_refuses_to_start() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String kafka = "127.0.0.1:" + closedPort;
    try (TestMongo mongo = new TestMongo();
        QuerySide first =
            QuerySide.start(
                QuerySideSettings.defaults(kafka, "node-a"),
                mongo.client(),
                new SimpleMeterRegistry(),
                Clock.systemUTC())) {
      QuerySideSettings sameDatabase =
          new QuerySideSettings(
              QuerySideSettings.databaseFor("node-a"), kafka, "comments.events", "node-b");

      assertThatThrownBy(
              () ->
                  QuerySide.start(
                      sameDatabase, mongo.client(), new SimpleMeterRegistry(), Clock.systemUTC()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("belongs to node node-a");
      assertThat(first.status().stale()).isTrue();
    }
  }

  @Test
  void a_database_with_the_older_scanning_thread_view_is_rebuilt_from_the_log_at_start()
      throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    QuerySideSettings settings = QuerySideSettings.defaults("127.0.0.1:" + closedPort, "unit");
    try (TestMongo mongo = new TestMongo()) {
      MongoDatabase database = mongo.client().getDatabase(settings.database());
      database.getCollection("comments").insertOne(new Document("_id", "old"));
      database.getCollection("threads").insertOne(new Document("_id", "demo/t").append("seq", 3));
      database
          .getCollection(OffsetStore.COLLECTION)
          .insertOne(
              new Document("_id", "unit/" + settings.topic() + "-0")
                  .append("node", "unit")
                  .append("topic", settings.topic())
                  .append("partition", 0)
                  .append("offset", 4L));

      try (QuerySide side =
          QuerySide.start(settings, mongo.client(), new SimpleMeterRegistry(), Clock.systemUTC())) {
        assertThat(database.listCollectionNames().into(new ArrayList<>()))
            .doesNotContain("comments");
        assertThat(database.getCollection("threads").countDocuments()).isZero();
        assertThat(database.getCollection(OffsetStore.COLLECTION).countDocuments()).isZero();
      }
    }
  }

  /** A restarted node's projection is as stale as it was when it stopped, not fresh. */
  @Test
  void a_restarted_node_reports_the_lag_of_its_stored_bound_before_it_reaches_the_log()
      throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    QuerySideSettings settings = QuerySideSettings.defaults("127.0.0.1:" + closedPort, "unit");
    try (TestMongo mongo = new TestMongo()) {
      MongoDatabase database = mongo.client().getDatabase(settings.database());
      new OffsetStore(
              database.getCollection(OffsetStore.COLLECTION), settings.nodeId(), Clock.systemUTC())
          .storeCaughtUpAt(settings.topic(), Instant.now().minus(Duration.ofHours(1)));

      try (QuerySide side =
          QuerySide.start(settings, mongo.client(), new SimpleMeterRegistry(), Clock.systemUTC())) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> side.status().lag().compareTo(Duration.ofHours(1)) >= 0);
        assertThat(side.status().stale()).isTrue();
        assertThat(side.status().caughtUp()).isFalse();
      }
    }
  }

  @Test
  void settings_refuse_blank_values_and_default_to_a_database_named_after_the_node() {
    QuerySideSettings defaults = QuerySideSettings.defaults("k:9092", "n1");

    assertThat(defaults.database()).isEqualTo("comments_query_n1");
    assertThat(QuerySideSettings.databaseFor("eu-central.1/x"))
        .isEqualTo("comments_query_eu-central_1_x");
    assertThat(defaults.topic()).isEqualTo("comments.events");
    assertThatThrownBy(() -> new QuerySideSettings("db", "k:9092", " ", "n1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topic must not be blank");
  }
}
