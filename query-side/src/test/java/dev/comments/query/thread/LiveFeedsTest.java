package dev.comments.query.thread;

import static dev.comments.events.ReadPreference.PRIMARY;
import static dev.comments.query.ThreadFeeds.DIRECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.events.VoteDirection;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.LiveUpdate;
import dev.comments.query.LiveUpdate.Kind;
import dev.comments.query.TestMongo;
import dev.comments.query.ThreadFeeds.Subscription;
import dev.comments.query.ThreadLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LiveFeedsTest {
  private static final int KEPT = 4;
  @RegisterExtension static final TestMongo mongo = new TestMongo();
  private ThreadViewStore store;
  private ThreadProjection projection;
  private LiveFeeds feeds;
  private final List<LiveUpdate> heard = new CopyOnWriteArrayList<>();

  @BeforeEach
  void freshProjection() {
    store = new ThreadViewStore(mongo.freshDatabase());
    store.createIndexes();
    ReadModel readModel = new ReadModel(store, 1 << 20, new SimpleMeterRegistry());
    feeds = new LiveFeeds(readModel, KEPT, 2);
    projection = new ThreadProjection(store, readModel, feeds);
  }

  private void apply(EventEnvelope... envelopes) {
    for (EventEnvelope envelope : envelopes) {
      projection.apply(envelope);
    }
  }

  private List<Long> positions() {
    return heard.stream().map(LiveUpdate::position).toList();
  }

  @Test
  void a_reader_resuming_from_a_kept_position_gets_every_change_after_it_once_then_live_ones() {
    ThreadLog log = ThreadLog.of("demo", "t");
    apply(log.post("c1", null, "ann"), log.post("c2", null, "bob"), log.post("c3", null, "ann"));
    Subscription subscription =
        feeds.subscribe(log.thread(), OptionalLong.of(0), PRIMARY, DIRECT, heard::add);
    assertThat(subscription.resync()).isFalse();
    assertThat(subscription.position()).isEqualTo(2);
    apply(log.edit("c1", "ann", "changed"));
    apply(log.events().get(3)); // delivered again by the log: not news
    assertThat(positions()).containsExactly(1L, 2L, 3L);
    assertThat(heard.get(2).kind()).isEqualTo(Kind.COMMENT_EDITED);
    assertThat(((LiveUpdate.CommentChange) heard.get(2).payload()).comment().text())
        .isEqualTo("changed");
  }

  @Test
  void a_position_older_than_the_kept_changes_starts_now_and_asks_for_a_reload() {
    ThreadLog log = ThreadLog.of("demo", "t");
    for (int i = 0; i < KEPT + 3; i++) {
      apply(log.post("c" + i, null, "ann"));
    }
    Subscription subscription =
        feeds.subscribe(log.thread(), OptionalLong.of(1), PRIMARY, DIRECT, heard::add);
    assertThat(subscription.resync()).isTrue();
    assertThat(subscription.position()).isEqualTo(KEPT + 2);
    assertThat(heard).isEmpty();
    Subscription recent =
        feeds.subscribe(log.thread(), OptionalLong.of(KEPT - 2), PRIMARY, DIRECT, update -> {});
    assertThat(recent.resync()).isFalse();
  }

  @Test
  void a_thread_not_in_memory_resumes_from_its_stored_position_and_a_later_one_waits() {
    ThreadLog log = ThreadLog.of("demo", "t");
    apply(log.post("c1", null, "ann"), log.post("c2", null, "ann"));
    ReadModel cold = new ReadModel(store, 1 << 20, new SimpleMeterRegistry());
    LiveFeeds restarted = new LiveFeeds(cold, KEPT, 2);
    ThreadProjection again = new ThreadProjection(store, cold, restarted);
    assertThat(
            restarted
                .subscribe(log.thread(), OptionalLong.of(1), PRIMARY, DIRECT, heard::add)
                .resync())
        .isFalse();
    assertThat(
            restarted
                .subscribe(log.thread(), OptionalLong.of(0), PRIMARY, DIRECT, u -> {})
                .resync())
        .isTrue();
    List<LiveUpdate> ahead = new CopyOnWriteArrayList<>();
    restarted.subscribe(log.thread(), OptionalLong.of(2), PRIMARY, DIRECT, ahead::add);
    again.apply(log.post("c3", null, "ann"));
    again.apply(log.post("c4", null, "ann"));
    assertThat(positions()).containsExactly(2L, 3L);
    assertThat(ahead).extracting(LiveUpdate::position).containsExactly(3L);
  }

  @Test
  void flags_are_not_shown_but_move_the_position_so_resuming_past_them_has_no_gap() {
    ThreadLog log = ThreadLog.of("demo", "t");
    apply(log.post("c1", null, "ann"), log.flag("c1", "bob", "spam"));
    Subscription subscription =
        feeds.subscribe(log.thread(), OptionalLong.of(1), PRIMARY, DIRECT, heard::add);
    assertThat(subscription.resync()).isFalse();
    apply(log.vote("c1", "bob", VoteDirection.UP, VoteDirection.NONE));
    assertThat(heard).singleElement().extracting(LiveUpdate::kind).isEqualTo(Kind.VOTE_CHANGED);
    assertThat(heard.getFirst().authorId()).isEqualTo("bob");
  }

  @Test
  void a_closed_subscription_hears_nothing_more_and_idle_feeds_are_bounded() {
    ThreadLog log = ThreadLog.of("demo", "t");
    Subscription subscription =
        feeds.subscribe(log.thread(), OptionalLong.empty(), PRIMARY, DIRECT, heard::add);
    apply(log.post("c1", null, "ann"));
    subscription.close();
    apply(log.post("c2", null, "ann"));
    assertThat(positions()).containsExactly(0L);
    for (int i = 0; i < 5; i++) {
      apply(ThreadLog.of("demo", "other-" + i).post("x", null, "ann"));
    }
    assertThat(feeds.feedCount()).isEqualTo(2);
    assertThatThrownBy(
            () -> feeds.subscribe(log.thread(), OptionalLong.of(-2), PRIMARY, DIRECT, heard::add))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void feeds_with_readers_are_never_dropped_and_a_second_close_does_not_count_twice() {
    List<LiveUpdate> onB = new CopyOnWriteArrayList<>();
    List<LiveUpdate> onC = new CopyOnWriteArrayList<>();
    ThreadLog a = ThreadLog.of("demo", "a");
    ThreadLog b = ThreadLog.of("demo", "b");
    ThreadLog c = ThreadLog.of("demo", "c");
    Subscription onA =
        feeds.subscribe(a.thread(), OptionalLong.empty(), PRIMARY, DIRECT, heard::add);
    feeds.subscribe(b.thread(), OptionalLong.empty(), PRIMARY, DIRECT, onB::add);
    feeds.subscribe(c.thread(), OptionalLong.empty(), PRIMARY, DIRECT, onC::add);
    for (int i = 0; i < 5; i++) {
      apply(ThreadLog.of("demo", "other-" + i).post("x", null, "ann"));
    }
    // Three with readers, and the two most recent of the idle ones (the bound is 2).
    assertThat(feeds.feedCount()).isEqualTo(5);

    onA.close();
    onA.close();
    // a is idle now and the least recently used: dropped, as the bound says.
    assertThat(feeds.feedCount()).isEqualTo(4);
    apply(ThreadLog.of("demo", "other-5").post("x", null, "ann"));
    assertThat(feeds.feedCount()).as("b and c, and two idle ones").isEqualTo(4);

    apply(b.post("b1", null, "ann"), c.post("c1", null, "ann"));
    assertThat(onB).extracting(LiveUpdate::position).containsExactly(0L);
    assertThat(onC).extracting(LiveUpdate::position).containsExactly(0L);
  }

  @Test
  void subscribers_sharing_an_executor_get_an_update_as_one_task_after_their_replay() {
    ThreadLog log = ThreadLog.of("demo", "t");
    apply(log.post("c1", null, "ann"), log.post("c2", null, "bob"));
    List<Runnable> oneLane = new ArrayList<>();
    List<Runnable> otherLane = new ArrayList<>();
    Executor lane = oneLane::add;
    List<LiveUpdate> resumed = new ArrayList<>();
    List<LiveUpdate> closed = new ArrayList<>();
    List<LiveUpdate> elsewhere = new ArrayList<>();
    feeds.subscribe(log.thread(), OptionalLong.of(0), PRIMARY, lane, resumed::add);
    Subscription closing =
        feeds.subscribe(log.thread(), OptionalLong.empty(), PRIMARY, lane, closed::add);
    feeds.subscribe(log.thread(), OptionalLong.empty(), PRIMARY, otherLane::add, elsewhere::add);
    assertThat(resumed).as("nothing runs before the executor runs it").isEmpty();

    apply(log.post("c3", null, "ann"));
    closing.close();

    assertThat(oneLane).as("the replay, then one task for both subscribers").hasSize(2);
    assertThat(otherLane).hasSize(1);
    oneLane.forEach(Runnable::run);
    otherLane.forEach(Runnable::run);
    assertThat(resumed).extracting(LiveUpdate::position).containsExactly(1L, 2L);
    assertThat(closed).as("closed before its task ran").isEmpty();
    assertThat(elsewhere).extracting(LiveUpdate::position).containsExactly(2L);
  }

  @Test
  void a_subscriber_that_throws_costs_the_others_sharing_its_executor_nothing() {
    ThreadLog log = ThreadLog.of("demo", "t");
    apply(log.post("c1", null, "ann"), log.post("c2", null, "bob"));
    List<Runnable> lane = new ArrayList<>();
    feeds.subscribe(
        log.thread(),
        OptionalLong.of(0),
        PRIMARY,
        lane::add,
        update -> {
          throw new IllegalStateException("a broken reader");
        });
    feeds.subscribe(log.thread(), OptionalLong.of(0), PRIMARY, lane::add, heard::add);
    apply(log.post("c3", null, "ann"));
    lane.forEach(Runnable::run);
    assertThat(positions()).containsExactly(1L, 2L);
  }
}
