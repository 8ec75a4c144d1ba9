package dev.comments.query.thread;

import static dev.comments.events.ReadPreference.NEAREST;
import static dev.comments.events.ReadPreference.PRIMARY;
import static dev.comments.query.ThreadFeeds.DIRECT;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import dev.comments.events.MediaRemoved;
import dev.comments.events.MediaUploaded;
import dev.comments.events.ModerationAction;
import dev.comments.events.TenantStream;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.query.CommentMedia;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.LiveUpdate;
import dev.comments.query.LiveUpdate.CommentChange;
import dev.comments.query.TestMongo;
import dev.comments.query.ThreadLog;
import dev.comments.query.media.MediaProjection;
import dev.comments.query.media.MediaStore;
import dev.comments.query.projection.AppliedEvents;
import dev.comments.query.projection.Stores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The media a comment names, as pages and live readers see them. */
class CommentMediaTest {
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  private static final String PNG = "3f9a0c2e7b6d41e58a1f0d2c9b8e7a61";
  private static final String GIF = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";

  @RegisterExtension static final TestMongo mongo = new TestMongo();

  private final MongoDatabase database = mongo.freshDatabase();
  private final MediaProjection media =
      new MediaProjection(new MediaStore(database, Stores.UNTAGGED));
  private final ThreadLog log = ThreadLog.of("demo", "pictures");
  private ThreadViewStore store = new ThreadViewStore(database);
  private ReadModel readModel = readModel(store);
  private ThreadProjection projection = new ThreadProjection(store, readModel);
  private MongoThreadQueries queries = new MongoThreadQueries(readModel, new AppliedEvents());
  private long mediaSeq;

  private ReadModel readModel(ThreadViewStore viewStore) {
    return new ReadModel(viewStore, 1 << 20, new SimpleMeterRegistry(), new MediaShown(media));
  }

  private void upload(String tenant, String mediaId, String type, int width, int height) {
    media.apply(
        new EventEnvelope(
            "e-up-" + mediaId,
            TenantStream.media(tenant, mediaId),
            0,
            T,
            new MediaUploaded(tenant, mediaId, "ab", type, 10, width, height, "s-1", T)));
  }

  private void remove(String tenant, String mediaId) {
    media.apply(
        new EventEnvelope(
            "e-rm-" + mediaId + mediaSeq++,
            TenantStream.media(tenant, mediaId),
            1,
            T,
            new MediaRemoved(tenant, mediaId, "mod", T)));
  }

  private ThreadPage page() {
    return queries
        .findComments(
            new FindThreadComments(log.thread(), SortOrder.OLDEST, 20, null, 5, null), NEAREST)
        .orElseThrow();
  }

  private CommentView only(ThreadPage page) {
    assertThat(page.comments()).hasSize(1);
    return page.comments().getFirst();
  }

  @Test
  void shows_each_item_with_its_type_and_size_in_the_order_the_author_gave() {
    upload("demo", PNG, "image/png", 640, 480);
    upload("demo", GIF, "image/gif", 32, 16);

    projection.apply(log.postWithMedia("c1", "alice", List.of(GIF, PNG)));

    assertThat(only(page()).media())
        .containsExactly(
            new CommentMedia("demo", GIF, "image/gif", 32, 16),
            new CommentMedia("demo", PNG, "image/png", 640, 480));
  }

  @Test
  void an_item_this_node_has_not_seen_uploaded_is_shown_by_its_id_until_it_is() {
    projection.apply(log.postWithMedia("c1", "alice", List.of(PNG)));
    ThreadPage before = page();

    upload("demo", PNG, "image/png", 640, 480);
    ThreadPage after = page();

    assertThat(only(before).media()).containsExactly(CommentMedia.idOnly("demo", PNG));
    assertThat(only(after).media())
        .containsExactly(new CommentMedia("demo", PNG, "image/png", 640, 480));
    // The thread did not change, the media did: the edge keeps the two pages apart by this.
    assertThat(after.seq()).isEqualTo(before.seq());
    assertThat(after.mediaVersion()).isGreaterThan(before.mediaVersion());
  }

  @Test
  void an_item_a_moderator_removed_drops_out_of_the_page_whenever_the_removal_lands() {
    upload("demo", PNG, "image/png", 640, 480);
    upload("demo", GIF, "image/gif", 32, 16);
    projection.apply(log.postWithMedia("c1", "alice", List.of(PNG, GIF)));
    ThreadPage before = page();

    remove("demo", PNG);
    ThreadPage after = page();

    assertThat(only(before).media()).hasSize(2);
    assertThat(only(after).media()).extracting(CommentMedia::mediaId).containsExactly(GIF);
    assertThat(after.mediaVersion()).isGreaterThan(before.mediaVersion());
  }

  @Test
  void an_item_removed_before_the_comment_is_applied_is_never_shown() {
    remove("demo", PNG);

    projection.apply(log.postWithMedia("c1", "alice", List.of(PNG)));

    assertThat(only(page()).media()).isEmpty();
  }

  @Test
  void the_media_survive_a_restart_of_the_node() {
    upload("demo", PNG, "image/png", 640, 480);
    projection.apply(log.postWithMedia("c1", "alice", List.of(PNG)));

    store = new ThreadViewStore(database);
    readModel = readModel(store);
    queries = new MongoThreadQueries(readModel, new AppliedEvents());

    assertThat(only(page()).media())
        .containsExactly(new CommentMedia("demo", PNG, "image/png", 640, 480));
    assertThat(store.load(log.thread(), PRIMARY).comments().getFirst().media())
        .containsExactly(PNG);
  }

  @Test
  void a_deleted_or_removed_comment_shows_no_media() {
    upload("demo", PNG, "image/png", 640, 480);
    projection.apply(log.postWithMedia("c1", "alice", List.of(PNG)));
    projection.apply(log.postWithMedia("c2", "bob", List.of(PNG)));

    projection.apply(log.delete("c1", "alice"));
    projection.apply(log.moderate("c2", ModerationAction.REMOVE, "mod"));

    assertThat(page().comments()).allSatisfy(c -> assertThat(c.media()).isEmpty());
  }

  @Test
  void a_live_reader_gets_the_same_media_as_a_page_read() {
    upload("demo", PNG, "image/png", 640, 480);
    projection.apply(log.post("c0", null, "alice"));
    List<LiveUpdate> heard = new ArrayList<>();
    projection.feeds().subscribe(log.thread(), OptionalLong.of(0), PRIMARY, DIRECT, heard::add);

    projection.apply(log.postWithMedia("c1", "alice", List.of(PNG)));

    assertThat(heard).hasSize(1);
    CommentView live = ((CommentChange) heard.getFirst().payload()).comment();
    CommentView read =
        page().comments().stream().filter(c -> c.id().equals("c1")).findFirst().orElseThrow();
    assertThat(live.media()).isEqualTo(read.media()).hasSize(1);
  }

  @Test
  void an_edit_naming_media_replaces_them_live_and_after_a_restart_one_naming_none_keeps_them() {
    upload("demo", PNG, "image/png", 640, 480);
    upload("demo", GIF, "image/gif", 32, 16);
    projection.apply(log.postWithMedia("c1", "alice", List.of(PNG)));
    List<LiveUpdate> heard = new ArrayList<>();
    projection.feeds().subscribe(log.thread(), OptionalLong.of(0), PRIMARY, DIRECT, heard::add);

    projection.apply(log.edit("c1", "alice", "with a gif", List.of(GIF)));
    CommentMedia gif = new CommentMedia("demo", GIF, "image/gif", 32, 16);
    assertThat(only(page()).media()).containsExactly(gif);
    assertThat(((CommentChange) heard.getLast().payload()).comment().media()).containsExactly(gif);

    projection.apply(log.edit("c1", "alice", "text alone"));
    assertThat(only(page()).media()).containsExactly(gif);
    store = new ThreadViewStore(database);
    readModel = readModel(store);
    queries = new MongoThreadQueries(readModel, new AppliedEvents());
    assertThat(only(page()).media()).containsExactly(gif);

    projection = new ThreadProjection(store, readModel);
    projection.apply(log.edit("c1", "alice", "no pictures", List.of()));
    assertThat(only(page()).media()).isEmpty();
    assertThat(only(page()).text()).isEqualTo("no pictures");
  }

  @Test
  void a_replay_of_the_thread_shows_its_media_as_the_catalogue_knows_them_now() {
    upload("demo", PNG, "image/png", 640, 480);
    upload("demo", GIF, "image/gif", 32, 16);
    ThreadReplay replay = new ThreadReplay(log.thread());
    replay.apply(log.postWithMedia("c1", "alice", List.of(PNG, GIF)));
    FindThreadComments query =
        new FindThreadComments(log.thread(), SortOrder.OLDEST, 20, null, 5, null);

    assertThat(only(replay.page(query, new MediaShown(media), NEAREST).orElseThrow()).media())
        .containsExactly(
            new CommentMedia("demo", PNG, "image/png", 640, 480),
            new CommentMedia("demo", GIF, "image/gif", 32, 16));
    remove("demo", GIF);
    assertThat(only(replay.page(query, new MediaShown(media), NEAREST).orElseThrow()).media())
        .containsExactly(new CommentMedia("demo", PNG, "image/png", 640, 480));
  }
}
