package dev.comments.query.thread;

import static dev.comments.events.ReadPreference.PRIMARY;
import static dev.comments.events.VoteDirection.DOWN;
import static dev.comments.events.VoteDirection.NONE;
import static dev.comments.events.VoteDirection.UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.mongodb.client.MongoDatabase;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.TestMongo;
import dev.comments.query.ThreadLog;
import dev.comments.query.projection.Projection.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ThreadProjectionTest {
  private static final String[] COLLECTIONS = {
    ThreadViewStore.THREADS,
    ThreadViewStore.BUCKETS,
    ThreadViewStore.VIEWER_VOTES,
    ThreadViewStore.FLAGS
  };

  @RegisterExtension static final TestMongo mongo = new TestMongo();

  /** A thread that exercises every event type, replies two deep, and votes changing direction. */
  private static List<EventEnvelope> busyThread() {
    ThreadLog log = ThreadLog.of("demo", "busy");
    log.post("a", null, "alice");
    log.post("b", null, "bob");
    log.post("a1", "a", "bob");
    log.post("a1x", "a1", "carol");
    log.vote("a", "bob", UP, NONE);
    log.vote("a", "carol", DOWN, NONE);
    log.vote("a", "carol", UP, DOWN);
    log.vote("a1", "alice", DOWN, NONE);
    log.vote("a1", "alice", NONE, DOWN);
    log.edit("b", "bob", "better text");
    log.flag("b", "alice", "spam");
    log.lock("mod");
    log.unlock("mod");
    log.delete("a1", "bob");
    log.post("a2", "a", "carol");
    return log.events();
  }

  private record Fixture(
      MongoDatabase database, ThreadViewStore store, ThreadProjection projection) {
    Map<String, List<String>> dump() {
      return TestMongo.dump(database, COLLECTIONS);
    }

    List<Outcome> applyAll(List<EventEnvelope> events) {
      List<Outcome> outcomes = new ArrayList<>();
      events.forEach(e -> outcomes.add(projection.apply(e)));
      return outcomes;
    }

    /** The same database as a restarted node sees it: nothing in memory. */
    ThreadState exact(EventEnvelope event) {
      return projection.readModel().exactThread(event.thread());
    }

    Fixture restarted() {
      ThreadViewStore again = new ThreadViewStore(database);
      return new Fixture(database, again, new ThreadProjection(again, readModel(again)));
    }

    /** A comment as the store holds it. */
    StoredComment comment(ThreadId thread, String id) {
      return store.load(thread, PRIMARY).comments().stream()
          .filter(c -> c.id().equals(id))
          .findFirst()
          .orElse(null);
    }

    StoredComment comment(String id) {
      return comment(BUSY, id);
    }

    Document thread(String streamId) {
      return database
          .getCollection(ThreadViewStore.THREADS)
          .find(new Document("_id", streamId))
          .first();
    }
  }

  private static final ThreadId BUSY = new ThreadId("demo", "busy");

  private static ReadModel readModel(ThreadViewStore store) {
    return new ReadModel(store, 1 << 20, new SimpleMeterRegistry());
  }

  private static Fixture fresh() {
    MongoDatabase database = mongo.freshDatabase();
    ThreadViewStore store = new ThreadViewStore(database);
    store.createIndexes();
    return new Fixture(database, store, new ThreadProjection(store, readModel(store)));
  }

  private static Map<String, List<String>> cleanDump(List<EventEnvelope> events) {
    Fixture clean = fresh();
    clean.applyAll(events);
    return clean.dump();
  }

  @Test
  void applies_posts_replies_votes_edits_flags_locks_and_deletes() {
    Fixture f = fresh();

    assertThat(f.applyAll(busyThread())).containsOnly(Outcome.APPLIED);

    StoredComment a = f.comment("a");
    assertThat(a.up()).isEqualTo(2);
    assertThat(a.down()).isZero();
    assertThat(a.score()).isEqualTo(2);
    assertThat(a.rootId()).isEqualTo("a");

    StoredComment a1x = f.comment("a1x");
    assertThat(a1x.rootId()).isEqualTo("a");
    assertThat(a1x.parentId()).isEqualTo("a1");

    StoredComment a1 = f.comment("a1");
    assertThat(a1.deleted()).isTrue();
    assertThat(a1.text()).isNull();
    assertThat(a1.author()).isNull();
    assertThat(a1.up()).isZero();
    assertThat(a1.down()).isZero();

    assertThat(f.comment("b").text()).isEqualTo("better text");
    assertThat(f.comment("b").editedAt()).isNotNull();

    Document thread = f.thread("demo/busy");
    assertThat(thread.get("seq", Number.class).longValue()).isEqualTo(14);
    assertThat(thread.getBoolean("locked")).isFalse();
    assertThat(thread.get("commentCount", Number.class).longValue()).isEqualTo(5);
    assertThat(f.database().getCollection(ThreadViewStore.FLAGS).countDocuments()).isEqualTo(1);
    assertThat(f.database().getCollection(ThreadViewStore.VIEWER_VOTES).countDocuments())
        .isEqualTo(3);
    assertThat(f.store().viewerVotes(BUSY, "carol", PRIMARY)).containsExactly(entry("a", UP));
    assertThat(f.store().viewerVotes(BUSY, "alice", PRIMARY)).isEmpty();
  }

  @Test
  void every_event_applied_twice_in_a_row_changes_nothing_the_second_time() {
    List<EventEnvelope> events = busyThread();
    Fixture f = fresh();

    for (EventEnvelope event : events) {
      assertThat(f.projection().apply(event)).isEqualTo(Outcome.APPLIED);
      assertThat(f.projection().apply(event)).isEqualTo(Outcome.DUPLICATE);
    }

    assertThat(f.dump()).isEqualTo(cleanDump(events));
  }

  @Test
  void replaying_the_whole_log_and_any_earlier_part_changes_nothing() {
    List<EventEnvelope> events = busyThread();
    Fixture f = fresh();
    f.applyAll(events);
    Map<String, List<String>> before = f.dump();

    assertThat(f.applyAll(events)).containsOnly(Outcome.DUPLICATE);
    assertThat(f.applyAll(events.subList(3, 9))).containsOnly(Outcome.DUPLICATE);

    assertThat(f.dump()).isEqualTo(before);
  }

  @Test
  void a_crash_after_any_write_of_an_event_and_its_redelivery_leave_the_same_projection() {
    List<EventEnvelope> events = busyThread();
    Map<String, List<String>> expected = cleanDump(events);
    int crashes = 0;

    for (int i = 0; i < events.size(); i++) {
      EventEnvelope crashed = events.get(i);
      for (int done = 1; ; done++) {
        Fixture f = fresh();
        f.applyAll(events.subList(0, i));
        List<Runnable> writes = f.projection().plan(f.exact(crashed), crashed).writes();
        if (done >= writes.size()) {
          break;
        }
        writes.subList(0, done).forEach(Runnable::run);

        // The node restarts; redelivery starts again from the last stored offset.
        Fixture restarted = f.restarted();
        assertThat(restarted.applyAll(events.subList(i, events.size())))
            .containsOnly(Outcome.APPLIED);

        assertThat(restarted.dump())
            .as("crash after %d writes of event %d", done, i)
            .isEqualTo(expected);
        crashes++;
      }
    }
    assertThat(crashes).as("crash points exercised").isGreaterThanOrEqualTo(6);
  }

  @Test
  void a_redelivered_batch_after_a_crash_before_storing_offsets_changes_nothing() {
    List<EventEnvelope> events = busyThread();
    Fixture f = fresh();
    f.applyAll(events.subList(0, 10));

    // Offsets were last stored after event 4: everything from 5 on comes again, then the rest.
    List<Outcome> outcomes = f.applyAll(events.subList(5, events.size()));

    assertThat(outcomes.subList(0, 5)).containsOnly(Outcome.DUPLICATE);
    assertThat(outcomes.subList(5, outcomes.size())).containsOnly(Outcome.APPLIED);
    assertThat(f.dump()).isEqualTo(cleanDump(events));
  }

  @Test
  void votes_add_change_and_clear_without_remembering_voters() {
    ThreadLog log = ThreadLog.of("demo", "votes");
    log.post("c", null, "alice");
    Fixture f = fresh();
    f.applyAll(log.events());

    f.projection().apply(log.vote("c", "v1", UP, NONE));
    f.projection().apply(log.vote("c", "v2", UP, NONE));
    f.projection().apply(log.vote("c", "v3", DOWN, NONE));
    assertThat(totals(f.comment(log.thread(), "c"))).containsExactly(2L, 1L, 1L);

    f.projection().apply(log.vote("c", "v1", DOWN, UP));
    assertThat(totals(f.comment(log.thread(), "c"))).containsExactly(1L, 2L, -1L);

    f.projection().apply(log.vote("c", "v3", NONE, DOWN));
    f.projection().apply(log.vote("c", "v2", NONE, UP));
    assertThat(totals(f.comment(log.thread(), "c"))).containsExactly(0L, 1L, -1L);

    assertThat(f.store().viewerVotes(log.thread(), "v2", PRIMARY)).isEmpty();
    assertThat(f.store().viewerVotes(log.thread(), "v1", PRIMARY))
        .containsExactly(entry("c", DOWN));
  }

  @Test
  void replies_know_their_top_level_comment() {
    ThreadLog log = ThreadLog.of("demo", "replies");
    log.post("r", null, "alice");
    log.post("r1", "r", "bob");
    log.post("r1a", "r1", "carol");
    log.post("r1a1", "r1a", "dave");
    Fixture f = fresh();

    f.applyAll(log.events());

    assertThat(f.comment(log.thread(), "r1a1").rootId()).isEqualTo("r");
    assertThat(f.comment(log.thread(), "r1a1").parentId()).isEqualTo("r1a");
  }

  @Test
  void a_thread_of_many_comments_fills_bucket_after_bucket_and_survives_crashes_at_the_border() {
    ThreadLog log = ThreadLog.of("demo", "long");
    for (int i = 0; i < ThreadState.BUCKET_SIZE; i++) {
      log.post("c" + i, null, "alice");
    }
    log.post("next", null, "bob");
    log.vote("c0", "bob", UP, NONE);
    log.vote("next", "bob", DOWN, NONE);
    log.edit("next", "bob", "edited");
    List<EventEnvelope> events = log.events();
    Map<String, List<String>> expected = cleanDump(events);

    for (int i = ThreadState.BUCKET_SIZE; i < events.size(); i++) {
      Fixture f = fresh();
      f.applyAll(events.subList(0, i));
      List<Runnable> writes = f.projection().plan(f.exact(events.get(i)), events.get(i)).writes();
      writes.subList(0, writes.size() - 1).forEach(Runnable::run);
      Fixture restarted = f.restarted();
      assertThat(restarted.applyAll(events.subList(i, events.size())))
          .containsOnly(Outcome.APPLIED);
      assertThat(restarted.dump()).as("crash before the thread of event %d", i).isEqualTo(expected);
    }
    Fixture f = fresh();
    f.applyAll(events);
    assertThat(f.database().getCollection(ThreadViewStore.BUCKETS).countDocuments()).isEqualTo(2);
    assertThat(f.comment(log.thread(), "next").text()).isEqualTo("edited");
    assertThat(f.comment(log.thread(), "next").down()).isEqualTo(1);
    assertThat(f.comment(log.thread(), "c0").up()).isEqualTo(1);
  }

  @Test
  void an_edit_after_a_delete_does_not_bring_the_text_back() {
    ThreadLog log = ThreadLog.of("demo", "edit-deleted");
    log.post("c", null, "alice");
    log.delete("c", "alice");
    log.edit("c", "alice", "resurrected");
    Fixture f = fresh();

    f.applyAll(log.events());

    assertThat(f.comment(log.thread(), "c").text()).isNull();
    assertThat(f.thread("demo/edit-deleted").get("seq", Number.class).longValue()).isEqualTo(2);
  }

  @Test
  void locks_and_unlocks_the_thread_even_as_its_first_event() {
    ThreadLog log = ThreadLog.of("demo", "locked");
    Fixture f = fresh();

    f.projection().apply(log.lock("mod"));
    assertThat(f.thread("demo/locked").getBoolean("locked")).isTrue();
    assertThat(f.thread("demo/locked").get("commentCount", Number.class).longValue()).isZero();

    f.projection().apply(log.unlock("mod"));
    assertThat(f.thread("demo/locked").getBoolean("locked")).isFalse();
  }

  @Test
  void an_event_after_a_gap_is_applied_and_reported_and_the_missing_one_then_counts_as_applied() {
    ThreadLog log = ThreadLog.of("demo", "gap");
    log.post("c0", null, "alice");
    log.post("c1", null, "alice");
    log.post("c2", null, "alice");
    Fixture f = fresh();

    assertThat(f.projection().apply(log.events().get(0))).isEqualTo(Outcome.APPLIED);
    assertThat(f.projection().apply(log.events().get(2))).isEqualTo(Outcome.APPLIED_AFTER_GAP);
    assertThat(f.projection().apply(log.events().get(1))).isEqualTo(Outcome.DUPLICATE);

    assertThat(f.comment(log.thread(), "c2")).isNotNull();
    assertThat(f.comment(log.thread(), "c1")).isNull();
  }

  @Test
  void threads_of_different_tenants_do_not_mix() {
    ThreadLog one = ThreadLog.of("one", "t");
    one.post("x1", null, "alice");
    ThreadLog two = ThreadLog.of("two", "t");
    two.post("x2", null, "alice");
    two.post("x2r", "x2", "bob");
    Fixture f = fresh();

    assertThat(f.applyAll(one.events())).containsOnly(Outcome.APPLIED);
    assertThat(f.applyAll(two.events())).containsOnly(Outcome.APPLIED);

    assertThat(f.thread("one/t").get("seq", Number.class).longValue()).isZero();
    assertThat(f.thread("two/t").get("seq", Number.class).longValue()).isEqualTo(1);
  }

  private static List<Long> totals(StoredComment comment) {
    return List.of(comment.up(), comment.down(), comment.score());
  }
}
