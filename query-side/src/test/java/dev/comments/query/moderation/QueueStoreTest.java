package dev.comments.query.moderation;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import dev.comments.events.Author;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentStatus;
import dev.comments.events.HostPage;
import dev.comments.events.MediaRemoved;
import dev.comments.events.MediaUploaded;
import dev.comments.events.ModerationAction;
import dev.comments.events.ReadPreference;
import dev.comments.events.TenantStream;
import dev.comments.events.VoteDirection;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.query.CommentMedia;
import dev.comments.events.query.CommentView;
import dev.comments.query.BannedUsers;
import dev.comments.query.ModerationQueue.QueueChange;
import dev.comments.query.ModerationQueue.QueueItem;
import dev.comments.query.ModerationQueue.QueueQuery;
import dev.comments.query.TestMongo;
import dev.comments.query.ThreadLog;
import dev.comments.query.media.MediaProjection;
import dev.comments.query.media.MediaStore;
import dev.comments.query.projection.Stores;
import dev.comments.query.thread.MediaShown;
import dev.comments.query.thread.ReadModel;
import dev.comments.query.thread.ThreadProjection;
import dev.comments.query.thread.ThreadViewStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class QueueStoreTest {
  private static final Instant BANNED_AT = Instant.parse("2026-12-01T10:00:00Z");
  private static final Instant BANNED_UNTIL = Instant.parse("2026-12-02T10:00:00Z");

  /** Mallory is banned from BANNED_AT until BANNED_UNTIL; nobody else is. */
  private static final BannedUsers MALLORY_BANNED =
      new BannedUsers() {
        @Override
        public Optional<Ban> banOf(String tenant, String userId, Instant now) {
          return userId.equals("mallory")
              ? bansOf(tenant, now).stream().findFirst()
              : Optional.empty();
        }

        @Override
        public List<Ban> bansOf(String tenant, Instant now) {
          return now.isBefore(BANNED_UNTIL)
              ? List.of(new Ban(tenant, "mallory", BANNED_UNTIL))
              : List.of();
        }
      };

  @RegisterExtension static final TestMongo mongo = new TestMongo();

  @Test
  void a_pending_comment_whose_author_the_node_already_holds_banned_is_not_queued() {
    QueueStore queue =
        new QueueStore(
            mongo.freshDatabase(), Stores.UNTAGGED, "", MALLORY_BANNED, MediaShown.NONE_KNOWN);

    // Read from a backlog after the ban: posted before it, or while it was in force.
    post(queue, "c1", "mallory", BANNED_AT.minusSeconds(60));
    post(queue, "c2", "mallory", BANNED_AT.plusSeconds(60));
    // After the ban ran out, and another author's: both wait for a moderator.
    post(queue, "c3", "mallory", BANNED_UNTIL.plusSeconds(60));
    post(queue, "c4", "alice", BANNED_AT.plusSeconds(60));

    assertThat(pendingIds(queue)).containsExactlyInAnyOrder("c3", "c4");
  }

  @Test
  void a_ban_takes_its_authors_pending_comments_out_of_the_queue() {
    QueueStore queue =
        new QueueStore(
            mongo.freshDatabase(), Stores.UNTAGGED, "", BannedUsers.NONE, MediaShown.NONE_KNOWN);
    post(queue, "c1", "mallory", BANNED_AT.minusSeconds(60));
    post(queue, "c2", "alice", BANNED_AT.minusSeconds(60));

    queue.hideAuthorsPending("demo", "mallory", ReadPreference.PRIMARY);

    assertThat(pendingIds(queue)).containsExactly("c2");
  }

  private static final HostPage LAUNCH =
      new HostPage("https://news.example.com/2026/launch", "Launch day");

  /** The queue as the thread projection writes it, over a fresh database. */
  private record Projected(MongoDatabase database, QueueStore queue, ThreadProjection projection) {
    static Projected over(MongoDatabase database) {
      return over(database, MediaShown.NONE_KNOWN);
    }

    static Projected over(MongoDatabase database, MediaShown media) {
      ThreadViewStore store = new ThreadViewStore(database);
      QueueStore queue = new QueueStore(database, Stores.UNTAGGED, "", BannedUsers.NONE, media);
      return new Projected(
          database,
          queue,
          new ThreadProjection(
              store, new ReadModel(store, 1 << 20, new SimpleMeterRegistry()), queue));
    }

    QueueItem item(String status, String commentId) {
      return queue
          .find(new QueueQuery("demo", status, null, null, null, null, 100), ReadPreference.PRIMARY)
          .items()
          .stream()
          .filter(i -> i.comment().id().equals(commentId))
          .findFirst()
          .orElseThrow();
    }
  }

  @Test
  void a_pending_comment_s_item_names_the_page_its_post_named() {
    Projected node = Projected.over(mongo.freshDatabase());
    ThreadLog log = ThreadLog.of("demo", "p-1");

    node.projection().apply(log.postOnPage("c1", null, "alice", CommentStatus.PENDING, LAUNCH));
    node.projection().apply(log.postPending("c2", null, "bob"));

    assertThat(node.item("pending", "c1").page()).isEqualTo(LAUNCH);
    assertThat(node.item("pending", "c2").page()).isNull();
  }

  @Test
  void a_shown_comment_flagged_later_brings_its_page_into_the_queue_even_after_a_restart() {
    MongoDatabase database = mongo.freshDatabase();
    ThreadLog log = ThreadLog.of("demo", "p-2");
    HostPage untitled = new HostPage("https://blog.example.org/post?id=7", null);
    Projected.over(database)
        .projection()
        .apply(log.postOnPage("c1", null, "alice", CommentStatus.APPROVED, untitled));

    // A node started again reads the comment from its thread view, not from memory.
    Projected restarted = Projected.over(database);
    restarted.projection().apply(log.flag("c1", "bob", "spam"));

    assertThat(restarted.item("flagged", "c1").page()).isEqualTo(untitled);
  }

  @Test
  void a_decision_keeps_the_page_of_the_item() {
    Projected node = Projected.over(mongo.freshDatabase());
    ThreadLog log = ThreadLog.of("demo", "p-3");
    node.projection().apply(log.postOnPage("c1", null, "alice", CommentStatus.APPROVED, LAUNCH));
    node.projection().apply(log.flag("c1", "bob", "rude"));

    node.projection().apply(log.moderate("c1", ModerationAction.REMOVE, "mod"));

    assertThat(node.item("removed", "c1").page()).isEqualTo(LAUNCH);
  }

  @Test
  void a_held_comment_s_item_shows_its_media_as_the_node_knows_them_removed_ones_left_out() {
    MongoDatabase database = mongo.freshDatabase();
    MediaProjection catalog = new MediaProjection(new MediaStore(database, Stores.UNTAGGED));
    Projected node = Projected.over(database, new MediaShown(catalog));
    ThreadLog log = ThreadLog.of("demo", "m-1");
    upload(catalog, PNG, 0);
    upload(catalog, GIF, 0);
    List<QueueChange> told = new CopyOnWriteArrayList<>();
    node.queue().subscribe("demo", told::add);

    node.projection()
        .apply(log.postWithMedia("c1", "alice", List.of(PNG, GIF, UNKNOWN), CommentStatus.PENDING));

    CommentMedia png = new CommentMedia("demo", PNG, "image/png", 4, 3);
    CommentMedia gif = new CommentMedia("demo", GIF, "image/png", 4, 3);
    assertThat(told)
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.item().comment().media())
                    .containsExactly(png, gif, CommentMedia.idOnly("demo", UNKNOWN)));
    catalog.apply(
        new EventEnvelope(
            "e-rm",
            TenantStream.media("demo", GIF),
            1,
            T,
            new MediaRemoved("demo", GIF, "mod", T)));
    assertThat(node.item("pending", "c1").comment().media())
        .containsExactly(png, CommentMedia.idOnly("demo", UNKNOWN));
  }

  @Test
  void a_shown_comment_flagged_later_shows_its_media_and_keeps_them_once_the_comment_is_removed() {
    MongoDatabase database = mongo.freshDatabase();
    MediaProjection catalog = new MediaProjection(new MediaStore(database, Stores.UNTAGGED));
    Projected node = Projected.over(database, new MediaShown(catalog));
    ThreadLog log = ThreadLog.of("demo", "m-2");
    upload(catalog, PNG, 0);
    node.projection().apply(log.postWithMedia("c1", "alice", List.of(PNG)));
    node.projection().apply(log.flag("c1", "bob", "spam"));

    assertThat(node.item("flagged", "c1").comment().media())
        .extracting(CommentMedia::mediaId)
        .containsExactly(PNG);

    node.projection().apply(log.moderate("c1", ModerationAction.REMOVE, "mod"));
    assertThat(node.item("removed", "c1").comment().media())
        .extracting(CommentMedia::mediaId)
        .containsExactly(PNG);
  }

  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  private static final String PNG = "3f9a0c2e7b6d41e58a1f0d2c9b8e7a61";
  private static final String GIF = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";
  private static final String UNKNOWN = "00112233445566778899aabbccddeeff";

  private static void upload(MediaProjection catalog, String mediaId, long seq) {
    catalog.apply(
        new EventEnvelope(
            "e-up-" + mediaId,
            TenantStream.media("demo", mediaId),
            seq,
            T,
            new MediaUploaded("demo", mediaId, "ab", "image/png", 10, 4, 3, "s-1", T)));
  }

  private static void post(QueueStore queue, String commentId, String authorId, Instant at) {
    Author author = Author.anonymous(authorId, authorId);
    CommentPosted posted =
        new CommentPosted("demo", "t", commentId, null, author, "text", at, CommentStatus.PENDING);
    CommentView view =
        new CommentView(
            commentId,
            null,
            author,
            "text",
            at,
            null,
            false,
            0,
            0,
            VoteDirection.NONE,
            List.of(),
            null,
            CommentStatus.PENDING,
            false,
            List.of());
    queue.apply(posted, view, null, List.of(), at, 1);
  }

  private static List<String> pendingIds(QueueStore queue) {
    return queue
        .find(
            new QueueQuery("demo", "pending", null, null, null, null, 100), ReadPreference.PRIMARY)
        .items()
        .stream()
        .map(QueueItem::comment)
        .map(CommentView::id)
        .toList();
  }
}
