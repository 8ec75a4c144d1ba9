package dev.comments.query.thread;

import static dev.comments.events.ReadPreference.NEAREST;
import static dev.comments.events.ReadPreference.PRIMARY;
import static dev.comments.events.VoteDirection.DOWN;
import static dev.comments.events.VoteDirection.NONE;
import static dev.comments.events.VoteDirection.UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.FindReplies;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.RepliesPage;
import dev.comments.events.query.SortOrder;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.InvalidCursorException;
import dev.comments.query.TestMongo;
import dev.comments.query.ThreadLog;
import dev.comments.query.projection.AppliedEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MongoThreadQueriesTest {
  @RegisterExtension static final TestMongo mongo = new TestMongo();

  private ThreadProjection projection;
  private AppliedEvents events;
  private MongoThreadQueries queries;

  @BeforeEach
  void freshProjection() {
    ThreadViewStore store = new ThreadViewStore(mongo.freshDatabase());
    store.createIndexes();
    ReadModel readModel = new ReadModel(store, 1 << 20, new SimpleMeterRegistry());
    projection = new ThreadProjection(store, readModel);
    events = new AppliedEvents();
    queries = new MongoThreadQueries(readModel, events);
  }

  /** Applies like the consumer does: into the store, then the in-process signal. */
  private void apply(List<EventEnvelope> envelopes) {
    for (EventEnvelope envelope : envelopes) {
      projection.apply(envelope);
      events.published(envelope);
    }
  }

  /**
   * Seven top-level comments: t1..t3 at the same instant, t4, t5 and t6 at the same instant, t7;
   * scores t4=2, t2=1, t6=1, t5=1, t7=-1, the rest 0.
   */
  private ThreadLog sevenTopLevel() {
    ThreadLog log = ThreadLog.of("demo", "seven");
    log.post("t1", null, "alice");
    log.sameTime().post("t3", null, "alice");
    log.sameTime().post("t2", null, "alice");
    log.post("t4", null, "bob");
    log.post("t5", null, "bob");
    log.sameTime().post("t6", null, "bob");
    log.post("t7", null, "carol");
    log.vote("t4", "v1", UP, NONE);
    log.vote("t4", "v2", UP, NONE);
    log.vote("t2", "v1", UP, NONE);
    log.vote("t6", "v1", UP, NONE);
    log.vote("t5", "v1", UP, NONE);
    log.vote("t7", "v1", DOWN, NONE);
    apply(log.events());
    return log;
  }

  private ThreadPage page(
      ThreadId thread, SortOrder sort, int limit, String cursor, String viewer) {
    return queries
        .findComments(new FindThreadComments(thread, sort, limit, cursor, viewer), PRIMARY)
        .orElseThrow();
  }

  private List<String> allPages(ThreadId thread, SortOrder sort, int limit) {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      ThreadPage page = page(thread, sort, limit, cursor, null);
      page.comments().forEach(c -> ids.add(c.id()));
      cursor = page.nextCursor();
      assertThat(++pages).as("pages").isLessThanOrEqualTo(10);
    } while (cursor != null);
    return ids;
  }

  @Test
  void an_unknown_thread_has_no_page() {
    assertThat(
            queries.findComments(
                new FindThreadComments(
                    new ThreadId("demo", "nothing"), SortOrder.NEWEST, 20, null, null),
                NEAREST))
        .isEmpty();
  }

  @Test
  void a_thread_without_comments_has_an_empty_last_page() {
    ThreadLog log = ThreadLog.of("demo", "quiet");
    log.lock("mod");
    apply(log.events());

    ThreadPage page = page(log.thread(), SortOrder.TOP, 20, null, null);

    assertThat(page.comments()).isEmpty();
    assertThat(page.nextCursor()).isNull();
    assertThat(page.seq()).isZero();
    assertThat(page.locked()).isTrue();
  }

  @Test
  void a_page_says_the_thread_is_open_again_once_it_is_unlocked() {
    ThreadLog log = sevenTopLevel();
    log.lock("mod");
    log.unlock("mod");
    apply(log.events());

    assertThat(page(log.thread(), SortOrder.NEWEST, 20, null, null).locked()).isFalse();
  }

  @Test
  void newest_first_breaks_time_ties_by_id_descending() {
    ThreadLog log = sevenTopLevel();

    ThreadPage page = page(log.thread(), SortOrder.NEWEST, 100, null, null);

    assertThat(page.comments())
        .extracting(CommentView::id)
        .containsExactly("t7", "t6", "t5", "t4", "t3", "t2", "t1");
    assertThat(page.nextCursor()).isNull();
    assertThat(page.seq()).isEqualTo(12);
  }

  @Test
  void oldest_first_breaks_time_ties_by_id_ascending() {
    ThreadLog log = sevenTopLevel();

    assertThat(page(log.thread(), SortOrder.OLDEST, 100, null, null).comments())
        .extracting(CommentView::id)
        .containsExactly("t1", "t2", "t3", "t4", "t5", "t6", "t7");
  }

  @Test
  void top_orders_by_score_then_newest_then_id() {
    ThreadLog log = sevenTopLevel();

    assertThat(page(log.thread(), SortOrder.TOP, 100, null, null).comments())
        .extracting(CommentView::id)
        .containsExactly("t4", "t6", "t5", "t2", "t3", "t1", "t7");
  }

  @Test
  void pages_of_every_size_and_sort_cover_the_thread_once_in_order() {
    ThreadLog log = sevenTopLevel();

    for (SortOrder sort : SortOrder.values()) {
      List<String> whole =
          page(log.thread(), sort, 100, null, null).comments().stream()
              .map(CommentView::id)
              .toList();
      for (int limit = 1; limit <= 7; limit++) {
        assertThat(allPages(log.thread(), sort, limit))
            .as("%s by %d", sort, limit)
            .isEqualTo(whole);
      }
    }
  }

  @Test
  void a_full_last_page_has_no_next_cursor() {
    ThreadLog log = sevenTopLevel();

    ThreadPage first = page(log.thread(), SortOrder.OLDEST, 4, null, null);
    ThreadPage second = page(log.thread(), SortOrder.OLDEST, 3, first.nextCursor(), null);

    assertThat(first.nextCursor()).isNotNull();
    assertThat(second.comments()).extracting(CommentView::id).containsExactly("t5", "t6", "t7");
    assertThat(second.nextCursor()).isNull();
  }

  @Test
  void a_comment_posted_after_the_first_page_does_not_shift_the_next_page() {
    ThreadLog log = sevenTopLevel();
    ThreadPage first = page(log.thread(), SortOrder.NEWEST, 3, null, null);

    apply(List.of(log.post("t8", null, "dave")));
    ThreadPage second = page(log.thread(), SortOrder.NEWEST, 3, first.nextCursor(), null);

    assertThat(second.comments()).extracting(CommentView::id).containsExactly("t4", "t3", "t2");
  }

  @Test
  void every_top_level_comment_comes_with_its_whole_reply_tree_oldest_first() {
    ThreadLog log = ThreadLog.of("demo", "tree");
    log.post("a", null, "alice");
    log.post("b", null, "bob");
    log.post("a2", "a", "carol");
    log.post("a1", "a", "bob");
    log.post("a1x", "a1", "dave");
    log.post("b1", "b", "alice");
    log.vote("a1", "v", UP, NONE);
    apply(log.events());

    List<CommentView> page = page(log.thread(), SortOrder.NEWEST, 1, null, null).comments();

    assertThat(page).extracting(CommentView::id).containsExactly("b");
    assertThat(page.getFirst().replies()).extracting(CommentView::id).containsExactly("b1");
    CommentView a = page(log.thread(), SortOrder.OLDEST, 1, null, null).comments().getFirst();
    assertThat(a.replies()).extracting(CommentView::id).containsExactly("a2", "a1");
    CommentView a1 = a.replies().get(1);
    assertThat(a1.parentId()).isEqualTo("a");
    assertThat(a1.up()).isEqualTo(1);
    assertThat(a1.replies()).extracting(CommentView::id).containsExactly("a1x");
    assertThat(a1.replies().getFirst().replies()).isEmpty();
  }

  /** Root r with replies r1..r5 (r2a under r2), posted in this order: r1 r2 r2a r3 r4 r5. */
  private ThreadLog sixReplies() {
    ThreadLog log = ThreadLog.of("demo", "replies");
    log.post("r", null, "alice");
    log.post("r1", "r", "bob");
    log.post("r2", "r", "bob");
    log.post("r2a", "r2", "carol");
    log.post("r3", "r", "bob");
    log.post("r4", "r", "bob");
    log.post("r5", "r", "bob");
    log.vote("r4", "viewer", DOWN, NONE);
    apply(log.events());
    return log;
  }

  private CommentView root(ThreadId thread, int replyLimit) {
    return queries
        .findComments(
            new FindThreadComments(thread, SortOrder.NEWEST, 10, null, replyLimit, "viewer"),
            PRIMARY)
        .orElseThrow()
        .comments()
        .getFirst();
  }

  private RepliesPage replies(ThreadId thread, String commentId, int limit, String cursor) {
    return queries
        .findReplies(new FindReplies(thread, commentId, limit, cursor, "viewer"), PRIMARY)
        .orElseThrow();
  }

  private static List<String> ids(List<CommentView> views) {
    List<String> ids = new ArrayList<>();
    for (CommentView view : views) {
      ids.add(view.id());
      ids.addAll(ids(view.replies()));
    }
    return ids;
  }

  @Test
  void a_top_level_comment_carries_its_oldest_replies_up_to_the_limit_and_a_cursor_to_the_rest() {
    ThreadLog log = sixReplies();

    CommentView three = root(log.thread(), 3);
    CommentView all = root(log.thread(), 6);

    assertThat(ids(three.replies())).containsExactly("r1", "r2", "r2a");
    assertThat(three.replies().get(1).replies()).extracting(CommentView::id).containsExactly("r2a");
    assertThat(three.repliesNextCursor()).isNotNull();
    assertThat(ids(all.replies())).containsExactly("r1", "r2", "r2a", "r3", "r4", "r5");
    assertThat(all.repliesNextCursor()).isNull();
    assertThat(root(log.thread(), 0).replies()).isEmpty();
  }

  @Test
  void the_replies_cursor_pages_the_rest_of_the_tree_once_in_order() {
    ThreadLog log = sixReplies();
    String cursor = root(log.thread(), 0).repliesNextCursor();
    List<String> seen = new ArrayList<>();

    RepliesPage first = replies(log.thread(), "r", 2, cursor);
    seen.addAll(ids(first.replies()));
    RepliesPage second = replies(log.thread(), "r", 2, first.nextCursor());
    seen.addAll(ids(second.replies()));
    RepliesPage third = replies(log.thread(), "r", 2, second.nextCursor());
    seen.addAll(ids(third.replies()));

    assertThat(seen).containsExactly("r1", "r2", "r2a", "r3", "r4", "r5");
    assertThat(third.nextCursor()).isNull();
    // r2a's parent came on the page before, so it is listed at the top, naming its parent.
    assertThat(second.replies()).extracting(CommentView::id).containsExactly("r2a", "r3");
    assertThat(second.replies().getFirst().parentId()).isEqualTo("r2");
    assertThat(third.replies().getFirst().myVote()).isEqualTo(DOWN);
    assertThat(replies(log.thread(), "r2", 10, null).replies())
        .extracting(CommentView::id)
        .containsExactly("r2a");
  }

  @Test
  void replies_of_an_unknown_comment_or_thread_are_empty() {
    ThreadLog log = sixReplies();

    assertThat(queries.findReplies(new FindReplies(log.thread(), "nope", 5, null, null), PRIMARY))
        .isEmpty();
    assertThat(
            queries.findReplies(
                new FindReplies(new ThreadId("demo", "nothing"), "r", 5, null, null), PRIMARY))
        .isEmpty();
  }

  @Test
  void refuses_a_replies_cursor_made_for_another_comment_or_thread_or_a_page_cursor() {
    ThreadLog log = sixReplies();
    String cursor = root(log.thread(), 1).repliesNextCursor();
    String pageCursor = page(log.thread(), SortOrder.NEWEST, 1, null, null).nextCursor();
    ThreadLog other = ThreadLog.of("demo", "other");
    other.post("r", null, "alice");
    apply(other.events());

    assertRepliesRefused(
        log.thread(), "r2", cursor, "cursor was made for the replies of another comment");
    assertRepliesRefused(other.thread(), "r", cursor, "cursor was made for another thread");
    if (pageCursor != null) {
      assertRepliesRefused(
          log.thread(), "r", pageCursor, "cursor is not a replies cursor this server knows");
    }
    assertRepliesRefused(log.thread(), "r", "", "cursor is empty");
    assertRepliesRefused(log.thread(), "r", "!!", "cursor is not URL-safe base64 text");
    String key = PageCursor.threadKey(log.thread());
    String comment = PageCursor.digest("r");
    assertRepliesRefused(
        log.thread(),
        "r",
        encode("r1." + key + "." + comment + ".-1"),
        "cursor is malformed: its position is out of range");
    assertRepliesRefused(
        log.thread(),
        "r",
        encode("r1." + key + "." + comment + ".x"),
        "cursor is malformed: its position is not a number");
  }

  private void assertRepliesRefused(
      ThreadId thread, String commentId, String cursor, String message) {
    assertThatThrownBy(
            () -> queries.findReplies(new FindReplies(thread, commentId, 2, cursor, null), PRIMARY))
        .as("cursor %s", cursor)
        .isInstanceOf(InvalidCursorException.class)
        .hasMessage(message);
  }

  @Test
  void a_deleted_comment_keeps_its_place_and_replies_without_author_or_text() {
    ThreadLog log = ThreadLog.of("demo", "deleted");
    log.post("a", null, "alice");
    log.post("a1", "a", "bob");
    log.delete("a", "alice");
    apply(log.events());

    CommentView a = page(log.thread(), SortOrder.NEWEST, 10, null, null).comments().getFirst();

    assertThat(a.deleted()).isTrue();
    assertThat(a.author()).isNull();
    assertThat(a.text()).isNull();
    assertThat(a.postedAt()).isNotNull();
    assertThat(a.replies()).extracting(CommentView::text).containsExactly("text of a1");
  }

  @Test
  void shows_author_text_times_and_totals() {
    ThreadLog log = ThreadLog.of("demo", "fields");
    log.post("a", null, "alice", "hello");
    log.edit("a", "alice", "hello again");
    log.vote("a", "v1", DOWN, NONE);
    apply(log.events());

    CommentView a = page(log.thread(), SortOrder.NEWEST, 10, null, null).comments().getFirst();

    assertThat(a.author().id()).isEqualTo("alice");
    assertThat(a.author().name()).isEqualTo("Name of alice");
    assertThat(a.text()).isEqualTo("hello again");
    assertThat(a.postedAt()).isEqualTo(ThreadLog.START.plusSeconds(1));
    assertThat(a.editedAt()).isEqualTo(ThreadLog.START.plusSeconds(2));
    assertThat(a.parentId()).isNull();
    assertThat(a.down()).isEqualTo(1);
    assertThat(a.up()).isZero();
  }

  @Test
  void my_vote_is_the_viewers_own_in_the_whole_tree_and_none_for_nobody() {
    ThreadLog log = ThreadLog.of("demo", "myvote");
    log.post("a", null, "alice");
    log.post("a1", "a", "bob");
    log.post("b", null, "bob");
    log.vote("a", "viewer", UP, NONE);
    log.vote("a1", "viewer", DOWN, NONE);
    log.vote("b", "viewer", UP, NONE);
    log.vote("b", "viewer", NONE, UP);
    log.vote("b", "other", DOWN, NONE);
    apply(log.events());

    List<CommentView> mine = page(log.thread(), SortOrder.OLDEST, 10, null, "viewer").comments();
    List<CommentView> nobodys = page(log.thread(), SortOrder.OLDEST, 10, null, null).comments();
    List<CommentView> strangers =
        page(log.thread(), SortOrder.OLDEST, 10, null, "stranger").comments();

    assertThat(mine.get(0).myVote()).isEqualTo(UP);
    assertThat(mine.get(0).replies().getFirst().myVote()).isEqualTo(DOWN);
    assertThat(mine.get(1).myVote()).isEqualTo(NONE);
    assertThat(nobodys).extracting(CommentView::myVote).containsOnly(NONE);
    assertThat(strangers).extracting(CommentView::myVote).containsOnly(NONE);
  }

  @Test
  void a_viewers_votes_are_held_in_memory_once_a_read_loaded_them_and_never_loaded_by_asking() {
    ThreadLog log = ThreadLog.of("demo", "heldvotes");
    log.post("a", null, "alice");
    log.post("a1", "a", "bob");
    log.vote("a", "viewer", UP, NONE);
    log.vote("a1", "viewer", DOWN, NONE);
    apply(log.events());

    Optional<Map<String, VoteDirection>> beforeAnyRead = queries.heldVotes(log.thread(), "viewer");
    page(log.thread(), SortOrder.OLDEST, 10, null, "viewer");
    page(log.thread(), SortOrder.OLDEST, 10, null, "stranger");

    assertThat(beforeAnyRead).isEmpty();
    assertThat(queries.heldVotes(log.thread(), "viewer"))
        .contains(Map.of("a", UP, "a1", DOWN))
        .contains(queries.votesOf(log.thread(), "viewer", NEAREST));
    assertThat(queries.heldVotes(log.thread(), "stranger")).contains(Map.of());
    assertThat(queries.heldVotes(log.thread(), "nobody-read-as")).isEmpty();
  }

  @Test
  void refuses_cursors_it_did_not_make_with_a_precise_message() {
    ThreadLog log = sevenTopLevel();
    ThreadId thread = log.thread();
    String newest = page(thread, SortOrder.NEWEST, 2, null, null).nextCursor();
    String top = page(thread, SortOrder.TOP, 2, null, null).nextCursor();

    assertRefused(thread, SortOrder.TOP, newest, "cursor was made for sort 'newest', not 'top'");
    assertRefused(thread, SortOrder.NEWEST, top, "cursor was made for sort 'top', not 'newest'");
    assertRefused(
        new ThreadId("demo", "other"),
        SortOrder.NEWEST,
        newest,
        "cursor was made for another thread");
    assertRefused(
        new ThreadId("other", "seven"),
        SortOrder.NEWEST,
        newest,
        "cursor was made for another thread");
    assertRefused(thread, SortOrder.NEWEST, "", "cursor is empty");
    assertRefused(thread, SortOrder.NEWEST, "not a cursor!", "cursor is not URL-safe base64 text");
    assertRefused(thread, SortOrder.NEWEST, newest + "=", "cursor is not URL-safe base64 text");
    assertRefused(thread, SortOrder.NEWEST, "A", "cursor is not URL-safe base64 of UTF-8 text");
    assertRefused(
        thread, SortOrder.NEWEST, "x".repeat(600), "cursor is longer than 512 characters");
    assertRefused(
        thread,
        SortOrder.NEWEST,
        encode("2.n.x.1.a"),
        "cursor is not in a format this server knows");
    assertRefused(thread, SortOrder.NEWEST, encode("1.q.x.1.a"), "cursor names an unknown sort");
    String key = PageCursor.threadKey(thread);
    assertRefused(
        thread,
        SortOrder.NEWEST,
        encode("1.n." + key + ".1"),
        "cursor is malformed: it lacks fields");
    assertRefused(
        thread,
        SortOrder.NEWEST,
        encode("1.n." + key + ".01.t1"),
        "cursor is malformed: its time is not a number");
    assertRefused(
        thread,
        SortOrder.TOP,
        encode("1.t." + key + ".x.1.t1"),
        "cursor is malformed: its score is not a number");
    assertRefused(
        thread,
        SortOrder.NEWEST,
        encode("1.n." + key + ".99999999999999999999.t1"),
        "cursor is malformed: its time is not a number");
    assertRefused(
        thread,
        SortOrder.NEWEST,
        encode("1.n." + key + ".9999999999999999999.t1"),
        "cursor is malformed: its time is out of range");
    assertRefused(
        thread,
        SortOrder.NEWEST,
        encode("1.n." + key + ".1."),
        "cursor is malformed: its comment id is empty");
  }

  @Test
  void refuses_a_cursor_with_one_character_changed() {
    ThreadLog log = sevenTopLevel();
    String cursor = page(log.thread(), SortOrder.OLDEST, 2, null, null).nextCursor();
    // Flipping a character inside the thread digest keeps it base64 but breaks the digest.
    char[] chars = cursor.toCharArray();
    chars[6] = chars[6] == 'A' ? 'B' : 'A';

    assertThatThrownBy(() -> page(log.thread(), SortOrder.OLDEST, 2, new String(chars), null))
        .isInstanceOf(InvalidCursorException.class);
  }

  @Test
  void a_cursor_is_url_safe_and_continues_where_its_page_ended() {
    ThreadLog log = sevenTopLevel();

    String cursor = page(log.thread(), SortOrder.TOP, 3, null, null).nextCursor();

    assertThat(cursor).matches("[A-Za-z0-9_-]+");
    assertThat(page(log.thread(), SortOrder.TOP, 2, cursor, null).comments())
        .extracting(CommentView::id)
        .containsExactly("t2", "t3");
  }

  @Test
  void await_seq_is_true_at_once_when_the_projection_is_there_already() {
    ThreadLog log = sevenTopLevel();

    assertThat(queries.awaitSeq(log.thread(), 12, Duration.ofMillis(1), NEAREST)).isTrue();
    assertThat(queries.awaitSeq(log.thread(), 5, Duration.ZERO, PRIMARY)).isTrue();
  }

  @Test
  void await_seq_returns_when_the_event_is_applied_and_leaves_no_waiter_behind() throws Exception {
    ThreadLog log = ThreadLog.of("demo", "await");
    log.post("a", null, "alice");
    apply(log.events());
    EventEnvelope next = log.post("b", null, "bob");

    CompletableFuture<Boolean> waiting =
        CompletableFuture.supplyAsync(
            () -> queries.awaitSeq(log.thread(), 1, Duration.ofSeconds(30), PRIMARY));
    Thread.sleep(100);
    assertThat(waiting).isNotDone();
    apply(List.of(next));

    assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(events.waiterCount()).isZero();
  }

  @Test
  void await_seq_is_false_after_its_timeout_when_the_event_never_comes() {
    ThreadLog log = ThreadLog.of("demo", "never");
    log.post("a", null, "alice");
    apply(log.events());

    long started = System.nanoTime();
    boolean reached = queries.awaitSeq(log.thread(), 1, Duration.ofMillis(300), PRIMARY);

    assertThat(reached).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(events.waiterCount()).isZero();
    assertThat(queries.awaitSeq(new ThreadId("demo", "unknown"), 0, Duration.ofMillis(50), PRIMARY))
        .isFalse();
  }

  @Test
  void an_event_of_another_thread_does_not_release_a_waiter() throws Exception {
    ThreadLog mine = ThreadLog.of("demo", "mine");
    ThreadLog other = ThreadLog.of("demo", "other");
    mine.post("a", null, "alice");
    other.post("x", null, "bob");
    other.post("y", null, "bob");

    CompletableFuture<Boolean> waiting =
        CompletableFuture.supplyAsync(
            () -> queries.awaitSeq(mine.thread(), 0, Duration.ofMillis(400), PRIMARY));
    apply(other.events());

    assertThat(waiting.get(5, TimeUnit.SECONDS)).isFalse();
  }

  private void assertRefused(ThreadId thread, SortOrder sort, String cursor, String message) {
    assertThatThrownBy(
            () ->
                queries.findComments(
                    new FindThreadComments(thread, sort, 2, cursor, null), PRIMARY))
        .as("cursor %s", cursor)
        .isInstanceOf(InvalidCursorException.class)
        .hasMessage(message);
  }

  private static String encode(String text) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
