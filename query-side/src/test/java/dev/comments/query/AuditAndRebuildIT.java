package dev.comments.query;

import static dev.comments.events.ReadPreference.NEAREST;
import static dev.comments.events.ReadPreference.PRIMARY;
import static dev.comments.events.VoteDirection.NONE;
import static dev.comments.events.VoteDirection.UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import dev.comments.events.ModerationAction;
import dev.comments.events.TenantStream;
import dev.comments.events.ThreadId;
import dev.comments.events.UserBanned;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.audit.AuditStore;
import dev.comments.query.moderation.QueueStore;
import dev.comments.query.projection.AppliedEvents;
import dev.comments.query.projection.ConsumerStatus;
import dev.comments.query.projection.DeadLetters;
import dev.comments.query.projection.Generations;
import dev.comments.query.projection.OffsetStore;
import dev.comments.query.projection.Projection;
import dev.comments.query.projection.ProjectionConsumer;
import dev.comments.query.projection.ProjectionMetrics;
import dev.comments.query.projection.ProjectionSet;
import dev.comments.query.projection.Stores;
import dev.comments.query.thread.MongoThreadQueries;
import dev.comments.query.thread.ReadModel;
import dev.comments.query.thread.ThreadProjection;
import dev.comments.query.thread.ThreadViewStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The audit log, replays ({@code asOf}, edit history), dead letters and rebuilds beside the live
 * copy, against a real Kafka broker and the MongoDB-wire server.
 */
class AuditAndRebuildIT {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String MODERATOR = "moderator-key";

  @RegisterExtension static final TestMongo mongo = new TestMongo();
  @RegisterExtension static final TestLog kafka = new TestLog();

  private final List<EventEnvelope> produced = new ArrayList<>();
  private final List<QuerySide> started = new ArrayList<>();
  private String topic;

  @BeforeEach
  void freshTopic() throws Exception {
    topic = "audit-it-" + UUID.randomUUID();
    kafka.createTopic(topic, 4);
  }

  @AfterEach
  void closeNodes() {
    started.forEach(QuerySide::close);
  }

  private QuerySide start(MongoDatabase database, String nodeId) {
    QuerySide side =
        QuerySide.start(
            new QuerySideSettings(database.getName(), kafka.bootstrapServers(), topic, nodeId),
            mongo.client(),
            new SimpleMeterRegistry(),
            Clock.systemUTC());
    started.add(side);
    return side;
  }

  private void produce(List<EventEnvelope> envelopes) throws Exception {
    kafka.send(topic, envelopes);
    produced.addAll(envelopes);
  }

  private void produceGarbage(String key) throws Exception {
    kafka.sendGarbage(topic, key);
  }

  private static List<AuditEntry> audit(QuerySide side, AuditQuery query) {
    List<AuditEntry> entries = new ArrayList<>();
    side.audit().stream(query, PRIMARY, entries::add);
    return entries;
  }

  private static AuditQuery all(String tenant) {
    return new AuditQuery(
        tenant, null, null, false, ThreadLog.START, ThreadLog.START.plus(Duration.ofDays(1)));
  }

  @Test
  void audits_every_change_and_shows_a_thread_as_it_was_at_any_instant() throws Exception {
    ThreadLog t = ThreadLog.of("demo", "history");
    t.post("c1", null, "alice", "first line\nsecond line");
    t.post("c2", null, "bob");
    t.edit("c1", "alice", "first line\nsecond line, edited");
    t.vote("c1", "bob", UP, NONE);
    t.lock(MODERATOR);
    t.unlock(MODERATOR);
    t.flag("c2", "carol", "spam");
    t.delete("c2", "bob");
    ThreadLog other = ThreadLog.of("other", "elsewhere");
    other.post("o1", null, "dave");
    produce(t.events());
    produce(other.events());
    QuerySide side = start(mongo.freshDatabase(), "audit-node");
    await().atMost(PATIENCE).until(() -> side.status().caughtUp());
    assertThat(side.queries().awaitSeq(t.thread(), t.events().size() - 1, PATIENCE, PRIMARY))
        .isTrue();

    // Who, what, when, why of every change of the tenant, in order.
    List<AuditEntry> entries = audit(side, all("demo"));
    assertThat(entries)
        .extracting(AuditEntry::type)
        .containsExactly(
            "CommentPosted",
            "CommentPosted",
            "CommentEdited",
            "CommentVoted",
            "ThreadLocked",
            "ThreadUnlocked",
            "CommentFlagged",
            "CommentDeleted");
    assertThat(entries)
        .extracting(AuditEntry::actor)
        .containsExactly("alice", "bob", "alice", "bob", MODERATOR, MODERATOR, "carol", "bob");
    assertThat(entries).extracting(AuditEntry::at).isSorted();
    assertThat(entries.get(6).reason()).isEqualTo("spam");
    assertThat(entries.get(4).actorKind()).isEqualTo("moderator");

    // Every moderator action, and only those; one user's; one thread's; one time range.
    assertThat(
            audit(
                side,
                new AuditQuery(
                    "demo",
                    null,
                    MODERATOR,
                    true,
                    ThreadLog.START,
                    ThreadLog.START.plus(Duration.ofDays(1)))))
        .extracting(AuditEntry::type)
        .containsExactly("ThreadLocked", "ThreadUnlocked");
    assertThat(
            audit(
                side,
                new AuditQuery(
                    "demo",
                    null,
                    "bob",
                    false,
                    ThreadLog.START,
                    ThreadLog.START.plus(Duration.ofDays(1)))))
        .extracting(AuditEntry::seq)
        .containsExactly(1L, 3L, 7L);
    assertThat(audit(side, all("other"))).extracting(AuditEntry::actor).containsExactly("dave");
    Instant second = t.events().get(1).time();
    Instant fourth = t.events().get(3).time();
    assertThat(audit(side, new AuditQuery("demo", "history", null, false, second, fourth)))
        .extracting(AuditEntry::seq)
        .containsExactly(1L, 2L);

    // As of several instants: exactly the page a projection of the events up to then shows.
    for (int upTo = 0; upTo < t.events().size(); upTo++) {
      Instant at = t.events().get(upTo).time();
      FindThreadComments query =
          new FindThreadComments(t.thread(), SortOrder.OLDEST, 10, null, null);
      assertThat(side.audit().threadAsOf(query, at, NEAREST))
          .as("as of event %d", upTo)
          .isEqualTo(pageOf(t.events().subList(0, upTo + 1), query));
      assertThat(side.audit().threadAsOf(query, at.plusMillis(999), NEAREST))
          .as("between event %d and the next", upTo)
          .isEqualTo(pageOf(t.events().subList(0, upTo + 1), query));
    }
    assertThat(
            side.audit()
                .threadAsOf(
                    new FindThreadComments(t.thread(), SortOrder.OLDEST, 10, null, null),
                    ThreadLog.START,
                    NEAREST))
        .as("before the first event")
        .isEmpty();

    // A comment's edit history, as diffs.
    List<CommentRevision> history =
        side.audit().commentHistory(t.thread(), "c1", NEAREST).orElseThrow();
    assertThat(history)
        .extracting(CommentRevision::type)
        .containsExactly("CommentPosted", "CommentEdited");
    assertThat(history.get(1).diff()).contains("-second line", "+second line, edited");
    assertThat(side.audit().commentHistory(t.thread(), "nope", NEAREST)).isEmpty();
    assertThat(side.audit().entry(t.thread(), 4, NEAREST))
        .map(AuditEntry::type)
        .contains("ThreadLocked");
  }

  /** The page a fresh projection of exactly {@code events} answers. */
  private static Optional<ThreadPage> pageOf(List<EventEnvelope> events, FindThreadComments query) {
    ThreadViewStore store = new ThreadViewStore(mongo.freshDatabase());
    ReadModel readModel = new ReadModel(store, 1 << 20, new SimpleMeterRegistry());
    ThreadProjection projection = new ThreadProjection(store, readModel);
    events.forEach(projection::apply);
    return new MongoThreadQueries(readModel, new AppliedEvents()).findComments(query, PRIMARY);
  }

  @Test
  void parks_a_poison_event_applies_the_ones_behind_it_and_retries_it_after_a_fix()
      throws Exception {
    ThreadLog t = ThreadLog.of("demo", "poison");
    EventEnvelope before = t.post("ok1", null, "alice");
    EventEnvelope poison = t.post("poison", null, "mallory");
    EventEnvelope after = t.post("ok2", null, "bob");
    produce(List.of(before, poison));
    produceGarbage("demo/poison");
    produce(List.of(after));

    MongoDatabase database = mongo.freshDatabase();
    DeadLetters letters =
        new DeadLetters(
            database.getCollection(DeadLetters.COLLECTION), Clock.systemUTC(), Stores.UNTAGGED);
    AtomicBoolean fixed = new AtomicBoolean();
    List<String> applied = new ArrayList<>();
    Projection flaky =
        new Projection() {
          @Override
          public Outcome apply(EventEnvelope envelope) {
            if (envelope.seq() == poison.seq() && !fixed.get()) {
              throw new IllegalArgumentException("cannot apply comment poison");
            }
            applied.add(envelope.eventId());
            return Outcome.APPLIED;
          }

          @Override
          public void reset() {}
        };
    ProjectionSet set = ProjectionSet.of("flaky", flaky, letters);
    ConsumerStatus status = new ConsumerStatus(Clock.systemUTC());
    ProjectionConsumer consumer =
        new ProjectionConsumer(
            kafka.bootstrapServers(),
            topic,
            "poison-node",
            set,
            new OffsetStore(
                database.getCollection(OffsetStore.COLLECTION), "poison-node", Clock.systemUTC()),
            new AppliedEvents(),
            status,
            new ProjectionMetrics(new SimpleMeterRegistry(), topic, status),
            letters);
    consumer.start();
    try {
      await().atMost(PATIENCE).until(status::caughtUp);
      assertThat(applied).containsExactly(before.eventId(), after.eventId());
      List<DeadLetter> parked = letters.list(PRIMARY);
      assertThat(parked)
          .extracting(DeadLetter::projection)
          .containsExactlyInAnyOrder("flaky", DeadLetters.ALL);
      assertThat(parked)
          .filteredOn(l -> l.projection().equals("flaky"))
          .singleElement()
          .satisfies(l -> assertThat(l.error()).contains("cannot apply comment poison"));

      fixed.set(true);
      List<Boolean> retried =
          consumer
              .onConsumerThread(
                  () -> {
                    List<Boolean> outcomes = new ArrayList<>();
                    for (DeadLetter letter : letters.list(PRIMARY)) {
                      boolean settled = set.retry(letter);
                      if (settled) {
                        letters.remove(letter.id());
                      }
                      outcomes.add(settled);
                    }
                    return outcomes;
                  })
              .get(30, TimeUnit.SECONDS);
      assertThat(retried).containsExactlyInAnyOrder(true, false);
      assertThat(applied).containsExactly(before.eventId(), after.eventId(), poison.eventId());
      assertThat(letters.list(PRIMARY))
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.projection()).isEqualTo(DeadLetters.ALL);
                assertThat(l.attempts()).isEqualTo(2);
              });
    } finally {
      consumer.close();
    }
  }

  @Test
  void rebuilds_beside_the_live_copy_under_read_load_and_ends_with_the_primary_checksum()
      throws Exception {
    List<ThreadId> threads = new ArrayList<>();
    for (int n = 0; n < 12; n++) {
      ThreadLog t = ThreadLog.of("demo", "load-" + n);
      for (int c = 0; c < 45; c++) {
        t.post("c" + c, c % 3 == 0 ? null : "c" + (c - c % 3), "user" + (c % 7));
      }
      t.vote("c0", "user1", UP, NONE);
      t.lock(MODERATOR);
      produce(t.events());
      threads.add(t.thread());
    }
    MongoDatabase primaryDb = mongo.freshDatabase();
    MongoDatabase replicaDb = mongo.freshDatabase();
    QuerySide primary = start(primaryDb, "primary-node");
    QuerySide replica = start(replicaDb, "replica-node");
    await()
        .atMost(PATIENCE)
        .until(() -> primary.status().caughtUp() && replica.status().caughtUp());
    for (ThreadId thread : threads) {
      assertThat(replica.queries().awaitSeq(thread, 46, PATIENCE, PRIMARY)).isTrue();
      assertThat(primary.queries().awaitSeq(thread, 46, PATIENCE, PRIMARY)).isTrue();
    }
    Map<String, String> before = new ConcurrentHashMap<>();
    for (String name : List.of(QuerySide.THREADS, QuerySide.AUDIT)) {
      before.put(name, replica.checksum(name, PRIMARY).sha256());
      assertThat(primary.checksum(name, PRIMARY).sha256()).isEqualTo(before.get(name));
    }

    AtomicBoolean reading = new AtomicBoolean(true);
    AtomicLong reads = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      int offset = r;
      readers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    int i = offset;
                    while (reading.get()) {
                      ThreadId thread = threads.get(i++ % threads.size());
                      try {
                        Optional<ThreadPage> page =
                            replica
                                .queries()
                                .findComments(
                                    new FindThreadComments(
                                        thread, SortOrder.OLDEST, 100, null, null),
                                    NEAREST);
                        if (page.isEmpty() || page.get().comments().size() != 15) {
                          failures.incrementAndGet();
                        }
                      } catch (RuntimeException e) {
                        failures.incrementAndGet();
                      }
                      reads.incrementAndGet();
                    }
                  }));
    }

    assertThatThrownBy(() -> replica.rebuild("nonsense"))
        .isInstanceOf(ProjectionAdmin.UnknownProjectionException.class);
    ProjectionAdmin.Progress first = replica.rebuild(QuerySide.THREADS);
    assertThat(first.state()).isEqualTo("running");
    assertThatThrownBy(() -> replica.rebuild(QuerySide.THREADS))
        .isInstanceOf(ProjectionAdmin.RebuildInProgressException.class);
    assertThat(replica.status().caughtUp()).as("not ready while rebuilding").isFalse();
    replica.rebuild(QuerySide.AUDIT);
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                replica.list().stream().noneMatch(ProjectionAdmin.Info::rebuilding)
                    && replica.status().caughtUp());
    reading.set(false);
    for (Thread reader : readers) {
      reader.join();
    }

    assertThat(reads.get()).isPositive();
    assertThat(failures.get()).as("failed reads during the rebuild").isZero();
    for (ProjectionAdmin.Info info : replica.list()) {
      assertThat(info.generation()).isEqualTo(1);
      assertThat(info.lastRebuild().state()).isEqualTo("swapped");
      assertThat(info.lastRebuild().percent()).isEqualTo(100.0);
      assertThat(replica.checksum(info.name(), PRIMARY).sha256())
          .as("%s after the rebuild", info.name())
          .isEqualTo(before.get(info.name()))
          .isEqualTo(primary.checksum(info.name(), PRIMARY).sha256());
    }

    // The live consumer goes on after the swap, into the rebuilt copies.
    ThreadLog later = ThreadLog.of("demo", "after-rebuild");
    produce(List.of(later.post("x", null, "alice")));
    assertThat(replica.queries().awaitSeq(later.thread(), 0, PATIENCE, PRIMARY)).isTrue();
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                audit(replica, all("demo")).stream()
                    .anyMatch(e -> e.stream().equals(later.thread())));
  }

  @Test
  void a_rebuild_of_the_thread_view_rebuilds_the_moderators_queue_with_it() throws Exception {
    ThreadLog t = ThreadLog.of("demo", "queued");
    t.postPending("waits", null, "alice");
    t.postPending("banned", null, "mallory");
    t.post("loud", null, "bob");
    t.flag("loud", "carol", "rude");
    t.post("gone", null, "bob");
    t.moderate("gone", ModerationAction.REMOVE, MODERATOR);
    produce(t.events());
    MongoDatabase database = mongo.freshDatabase();
    QuerySide side = start(database, "queue-node");
    await().atMost(PATIENCE).until(() -> side.status().caughtUp());
    assertThat(side.queries().awaitSeq(t.thread(), t.events().size() - 1, PATIENCE, PRIMARY))
        .isTrue();
    // The ban comes once its author's comment is applied (it is another stream, on another
    // partition); a rebuild may read it first, and the swap applies the bans in force again.
    produce(
        List.of(
            new EventEnvelope(
                "ban-1",
                new TenantStream("ban", "demo", "mallory"),
                0,
                ThreadLog.START.plusSeconds(60),
                new UserBanned("demo", "mallory", MODERATOR, "troll", null, ThreadLog.START))));
    Map<String, List<String>> before = new HashMap<>();
    for (String status : ModerationQueue.STATUSES) {
      await().atMost(PATIENCE).until(() -> !queue(side, status).contains("banned"));
      before.put(status, queue(side, status));
    }
    assertThat(before.get("pending")).containsExactly("waits");
    assertThat(before.get("flagged")).containsExactly("loud");
    assertThat(before.get("removed")).containsExactly("gone");

    // The live queue is lost (a node restored without it): the rebuild brings it back.
    database.getCollection(QueueStore.COLLECTION).drop();
    assertThat(queue(side, "pending")).isEmpty();
    side.rebuild(QuerySide.THREADS);
    await()
        .atMost(PATIENCE)
        .until(() -> !side.info(QuerySide.THREADS).rebuilding() && side.status().caughtUp());
    assertThat(side.info(QuerySide.THREADS).lastRebuild().state()).isEqualTo("swapped");
    for (String status : ModerationQueue.STATUSES) {
      assertThat(queue(side, status)).as(status).isEqualTo(before.get(status));
    }

    // The live consumer writes the new generation's queue from then on.
    produce(List.of(t.postPending("later", null, "dave")));
    await().atMost(PATIENCE).until(() -> queue(side, "pending").contains("later"));
  }

  private static List<String> queue(QuerySide side, String status) {
    return side
        .moderationQueue()
        .find(new ModerationQueue.QueueQuery("demo", status, null, null, null, null, 100), PRIMARY)
        .items()
        .stream()
        .map(item -> item.comment().id())
        .toList();
  }

  @Test
  void copies_a_stopped_node_left_beside_the_live_ones_are_dropped_at_its_next_start()
      throws Exception {
    ThreadLog t = ThreadLog.of("demo", "left-behind");
    t.post("x", null, "alice");
    produce(t.events());
    MongoDatabase database = mongo.freshDatabase();
    QuerySide side = start(database, "leftover-node");
    assertThat(side.queries().awaitSeq(t.thread(), 0, PATIENCE, PRIMARY)).isTrue();
    side.rebuild(QuerySide.THREADS);
    side.rebuild(QuerySide.AUDIT);
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                side.list().stream().allMatch(i -> i.generation() == 1 && !i.rebuilding())
                    && side.status().caughtUp());
    String threads = side.checksum(QuerySide.THREADS, PRIMARY).sha256();
    String audit = side.checksum(QuerySide.AUDIT, PRIMARY).sha256();
    // Stopped long before the old copies' drop was due; and a rebuild into generation 2 that a
    // stop cut short left a collection of its own.
    side.close();
    database.getCollection(ThreadViewStore.THREADS + "_g2").insertOne(new Document("_id", "half"));
    assertThat(database.listCollectionNames().into(new ArrayList<>()))
        .contains(ThreadViewStore.THREADS, ThreadViewStore.BUCKETS, AuditStore.COLLECTION);

    QuerySide again = start(database, "leftover-node");

    assertThat(database.listCollectionNames().into(new ArrayList<>()))
        .doesNotContain(
            ThreadViewStore.THREADS,
            ThreadViewStore.BUCKETS,
            ThreadViewStore.VIEWER_VOTES,
            ThreadViewStore.FLAGS,
            QueueStore.COLLECTION,
            AuditStore.COLLECTION,
            ThreadViewStore.THREADS + "_g2")
        .contains(
            ThreadViewStore.THREADS + "_g1",
            ThreadViewStore.BUCKETS + "_g1",
            QueueStore.COLLECTION + "_g1",
            AuditStore.COLLECTION + "_g1");
    assertThat(again.checksum(QuerySide.THREADS, PRIMARY).sha256()).isEqualTo(threads);
    assertThat(again.checksum(QuerySide.AUDIT, PRIMARY).sha256()).isEqualTo(audit);
  }

  @Test
  void a_projection_built_by_an_older_version_is_rebuilt_when_the_node_starts() throws Exception {
    ThreadLog t = ThreadLog.of("demo", "versioned");
    t.post("x", null, "alice");
    produce(t.events());
    MongoDatabase database = mongo.freshDatabase();
    new Generations(database.getCollection(Generations.COLLECTION), Stores.UNTAGGED)
        .record(QuerySide.AUDIT, new Generations.Live(0, 0));

    QuerySide side = start(database, "versioned-node");

    await()
        .atMost(PATIENCE)
        .until(() -> side.info(QuerySide.AUDIT).generation() == 1 && side.status().caughtUp());
    assertThat(side.info(QuerySide.THREADS).generation()).isZero();
    assertThat(
            new Generations(database.getCollection(Generations.COLLECTION), Stores.UNTAGGED)
                .live(QuerySide.AUDIT, PRIMARY))
        .contains(new Generations.Live(1, dev.comments.query.audit.AuditProjection.VERSION));
    assertThat(audit(side, all("demo"))).hasSize(1);
  }

  @Test
  void a_thread_view_kept_in_the_collections_of_an_earlier_model_is_rebuilt_from_the_log()
      throws Exception {
    ThreadLog t = ThreadLog.of("demo", "old-model");
    t.post("x", null, "alice");
    produce(t.events());
    MongoDatabase database = mongo.freshDatabase();
    // What an earlier version of the code kept: comments in a collection of their own.
    database.getCollection("comments").insertOne(new Document("_id", "stale"));

    QuerySide side = start(database, "old-model-node");

    assertThat(side.queries().awaitSeq(t.thread(), 0, PATIENCE, PRIMARY)).isTrue();
    assertThat(database.listCollectionNames().into(new ArrayList<>()))
        .doesNotContain("comments")
        .contains(ThreadViewStore.THREADS);
  }

  @SuppressWarnings("unused")
  private static MeterRegistry meters() {
    return new SimpleMeterRegistry();
  }
}
