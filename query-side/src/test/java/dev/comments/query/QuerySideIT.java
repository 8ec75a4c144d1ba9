package dev.comments.query;

import static dev.comments.events.ReadPreference.NEAREST;
import static dev.comments.events.ReadPreference.PRIMARY;
import static dev.comments.events.VoteDirection.DOWN;
import static dev.comments.events.VoteDirection.NONE;
import static dev.comments.events.VoteDirection.UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.projection.OffsetStore;
import dev.comments.query.thread.ReadModel;
import dev.comments.query.thread.ThreadProjection;
import dev.comments.query.thread.ThreadViewStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The query side against a real Kafka broker and the MongoDB-wire server, restarted on purpose. */
class QuerySideIT {
  private static final String[] PROJECTION = {
    ThreadViewStore.THREADS,
    ThreadViewStore.BUCKETS,
    ThreadViewStore.VIEWER_VOTES,
    ThreadViewStore.FLAGS
  };
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension static final TestMongo mongo = new TestMongo();
  @RegisterExtension static final TestLog kafka = new TestLog();

  private final List<EventEnvelope> produced = new ArrayList<>();
  private String topic;
  private MongoDatabase database;
  private QuerySide querySide;

  @BeforeEach
  void freshTopicAndDatabase() {
    topic = "it-" + UUID.randomUUID();
    database = mongo.freshDatabase();
  }

  @AfterEach
  void closeQuerySide() {
    if (querySide != null) {
      querySide.close();
    }
  }

  private QuerySide start(MeterRegistry meters) {
    querySide =
        QuerySide.start(
            new QuerySideSettings(database.getName(), kafka.bootstrapServers(), topic, "it-node"),
            mongo.client(),
            meters,
            Clock.systemUTC());
    return querySide;
  }

  /**
   * Creates the topic after the query side started, as the command side would: the consumer waits
   * for it instead of creating it with settings that are not its to choose.
   */
  private void createTopicAfterStart() throws Exception {
    kafka.createTopic(topic, 12);
  }

  private void produce(List<EventEnvelope> envelopes) throws Exception {
    kafka.send(topic, envelopes);
    produced.addAll(envelopes);
  }

  private void produceGarbage(String key) throws Exception {
    kafka.sendGarbage(topic, key);
  }

  /** What one clean pass over every distinct event produced so far gives. */
  private Map<String, List<String>> expectedProjection() {
    MongoDatabase oracle = mongo.freshDatabase();
    ThreadViewStore store = new ThreadViewStore(oracle);
    store.createIndexes();
    ThreadProjection projection =
        new ThreadProjection(store, new ReadModel(store, 1 << 20, new SimpleMeterRegistry()));
    produced.forEach(projection::apply);
    return TestMongo.dump(oracle, PROJECTION);
  }

  private static double count(MeterRegistry meters, String name) {
    return meters.get(name).counter().count();
  }

  @Test
  void projects_the_log_once_in_effect_across_duplicates_restarts_and_lost_offsets()
      throws Exception {
    ThreadLog a = ThreadLog.of("demo", "a");
    ThreadLog b = ThreadLog.of("other-tenant", "b");
    a.post("a1", null, "alice");
    a.post("a2", null, "bob");
    a.post("a1r", "a1", "bob");
    a.vote("a1", "bob", UP, NONE);
    a.vote("a1", "carol", DOWN, NONE);
    b.post("b1", null, "dave");
    b.flag("b1", "erin", "spam");

    MeterRegistry firstRun = new SimpleMeterRegistry();
    start(firstRun);
    createTopicAfterStart();
    produce(a.events());
    produce(b.events());
    produceGarbage("demo/a");
    // A publisher that crashed before recording its position publishes some events again.
    produce(a.events().subList(1, 4));

    await().atMost(PATIENCE).until(() -> querySide.status().caughtUp());
    assertThat(querySide.queries().awaitSeq(a.thread(), 4, PATIENCE, PRIMARY)).isTrue();
    assertThat(querySide.queries().awaitSeq(b.thread(), 1, PATIENCE, PRIMARY)).isTrue();
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> assertThat(count(firstRun, "comments.projection.duplicates")).isEqualTo(3));
    assertThat(TestMongo.dump(database, PROJECTION)).isEqualTo(expectedProjection());
    assertThat(count(firstRun, "comments.projection.applied")).isEqualTo(7);
    assertThat(firstRun.get("comments.projection.replication.delay").timer().count())
        .as("one replication delay per applied event, none for duplicates or garbage")
        .isEqualTo(7);
    assertThat(count(firstRun, "comments.projection.undecodable")).isEqualTo(1);
    ThreadPage page =
        querySide
            .queries()
            .findComments(
                new FindThreadComments(a.thread(), SortOrder.TOP, 10, null, "bob"), NEAREST)
            .orElseThrow();
    assertThat(page.comments()).extracting(CommentView::id).containsExactly("a2", "a1");
    assertThat(page.comments().get(1).myVote()).isEqualTo(UP);
    assertThat(page.comments().get(1).replies()).extracting(CommentView::id).containsExactly("a1r");

    // Stopped: the log grows meanwhile, with new events and old ones again.
    querySide.close();
    assertThat(
            new OffsetStore(
                    database.getCollection(OffsetStore.COLLECTION), "it-node", Clock.systemUTC())
                .caughtUpAt(topic, PRIMARY))
        .as("the staleness bound the next run starts from")
        .isPresent();
    a.post("a3", null, "carol");
    a.vote("a1", "carol", NONE, DOWN);
    ThreadLog c = ThreadLog.of("demo", "c");
    c.post("c1", null, "alice");
    produce(a.events().subList(5, 7));
    produce(c.events());
    produce(a.events().subList(0, 2));

    MeterRegistry secondRun = new SimpleMeterRegistry();
    start(secondRun);
    await().atMost(PATIENCE).until(() -> querySide.status().caughtUp());
    assertThat(TestMongo.dump(database, PROJECTION)).isEqualTo(expectedProjection());
    assertThat(count(secondRun, "comments.projection.applied")).isEqualTo(3);
    assertThat(secondRun.get("comments.projection.replication.delay").timer().count()).isEqualTo(3);
    assertThat(count(secondRun, "comments.projection.duplicates")).isEqualTo(2);
    assertThat(count(secondRun, "comments.projection.undecodable")).isZero();

    // Died after applying but before storing offsets, at worst: everything comes again.
    querySide.close();
    database.getCollection(OffsetStore.COLLECTION).deleteMany(new org.bson.Document());

    MeterRegistry thirdRun = new SimpleMeterRegistry();
    start(thirdRun);
    await().atMost(PATIENCE).until(() -> querySide.status().caughtUp());
    assertThat(TestMongo.dump(database, PROJECTION)).isEqualTo(expectedProjection());
    assertThat(count(thirdRun, "comments.projection.applied")).isZero();
    assertThat(count(thirdRun, "comments.projection.duplicates")).isEqualTo(produced.size());
    assertThat(count(thirdRun, "comments.projection.undecodable")).isEqualTo(1);
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(querySide.status().lagEvents()).isZero();
              assertThat(querySide.status().stale()).isFalse();
            });
    assertThat(querySide.status().lag()).isLessThanOrEqualTo(ProjectionStatus.STALE_LAG);
    assertThat(thirdRun.get("comments.projection.lag.events").gauge().value()).isZero();
  }

  @Test
  void await_seq_is_true_soon_after_the_event_is_produced_and_false_when_it_never_is()
      throws Exception {
    ThreadLog t = ThreadLog.of("demo", "await");
    t.post("x", null, "alice");
    start(new SimpleMeterRegistry());
    createTopicAfterStart();
    produce(t.events());
    assertThat(querySide.queries().awaitSeq(t.thread(), 0, PATIENCE, PRIMARY)).isTrue();

    CompletableFuture<Boolean> waiting =
        CompletableFuture.supplyAsync(
            () -> querySide.queries().awaitSeq(t.thread(), 1, PATIENCE, NEAREST));
    produce(List.of(t.post("y", "x", "bob")));

    assertThat(waiting.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(querySide.queries().awaitSeq(t.thread(), 2, Duration.ofMillis(500), PRIMARY))
        .isFalse();
  }

  @Test
  void rebuild_consumes_the_log_again_into_the_same_projection() throws Exception {
    ThreadLog t = ThreadLog.of("demo", "rebuild");
    t.post("x", null, "alice");
    t.post("y", "x", "bob");
    t.vote("x", "bob", UP, NONE);
    MeterRegistry meters = new SimpleMeterRegistry();
    start(meters);
    createTopicAfterStart();
    produce(t.events());
    assertThat(querySide.queries().awaitSeq(t.thread(), 2, PATIENCE, PRIMARY)).isTrue();
    Map<String, List<String>> before = TestMongo.dump(database, PROJECTION);

    querySide.rebuild();

    await().atMost(PATIENCE).until(() -> querySide.status().caughtUp());
    assertThat(querySide.queries().awaitSeq(t.thread(), 2, PATIENCE, PRIMARY)).isTrue();
    assertThat(TestMongo.dump(database, PROJECTION)).isEqualTo(before);
    assertThat(count(meters, "comments.projection.applied")).isEqualTo(6);
    assertThat(ProjectionStalenessIT.probeThreads("it-node"))
        .as("the old consumer's probe stopped with it")
        .hasSize(1);

    querySide.close();
    assertThat(ProjectionStalenessIT.probeThreads("it-node")).isEmpty();
  }
}
