package dev.comments.query.media;

import static dev.comments.events.ReadPreference.NEAREST;
import static dev.comments.events.ReadPreference.PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import dev.comments.events.Author;
import dev.comments.events.CommentEvent;
import dev.comments.events.CommentPosted;
import dev.comments.events.LoggedEvent;
import dev.comments.events.MediaRemoved;
import dev.comments.events.MediaUploaded;
import dev.comments.events.TenantStream;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.MediaView;
import dev.comments.query.TestMongo;
import dev.comments.query.projection.DeadLetters;
import dev.comments.query.projection.Projection;
import dev.comments.query.projection.Projection.Outcome;
import dev.comments.query.projection.ProjectionSet;
import dev.comments.query.projection.Stores;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MediaProjectionTest {
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  private static final TenantStream STREAM = TenantStream.media("demo", "m-1");

  @RegisterExtension static final TestMongo mongo = new TestMongo();

  private final MongoDatabase database = mongo.freshDatabase();
  private final MediaStore store = new MediaStore(database, Stores.UNTAGGED);
  private final MediaProjection projection = new MediaProjection(store);

  @Test
  void an_upload_makes_the_item_known_and_a_removal_marks_it_removed() {
    assertThat(projection.find("demo", "m-1", NEAREST)).isEmpty();

    assertThat(projection.apply(uploaded())).isEqualTo(Outcome.APPLIED);
    assertThat(projection.find("demo", "m-1", NEAREST))
        .get()
        .extracting(MediaView::removed)
        .isEqualTo(false);
    assertThat(projection.apply(removed())).isEqualTo(Outcome.APPLIED);

    MediaView view = projection.find("demo", "m-1", NEAREST).orElseThrow();
    assertThat(view.removed()).isTrue();
    assertThat(view.contentHash()).isEqualTo("abc");
    assertThat(store.find("demo", "m-1", PRIMARY)).contains(view);
  }

  @Test
  void the_version_rises_with_a_removal() {
    projection.apply(uploaded());
    long before = projection.version();

    projection.apply(removed());

    assertThat(projection.version()).isGreaterThan(before);
  }

  @Test
  void the_version_rises_with_the_upload_of_an_item_asked_for_while_unknown() {
    assertThat(projection.find("demo", "m-1", NEAREST)).isEmpty();
    long before = projection.version();

    projection.apply(uploaded());

    assertThat(projection.version()).isGreaterThan(before);
  }

  @Test
  void an_upload_nobody_asked_for_leaves_the_version_alone() {
    long before = projection.version();

    projection.apply(uploaded());

    assertThat(projection.version()).isEqualTo(before);
  }

  @Test
  void an_event_applied_again_changes_nothing() {
    projection.apply(uploaded());
    projection.apply(removed());

    assertThat(projection.apply(uploaded())).isEqualTo(Outcome.DUPLICATE);
    assertThat(projection.apply(removed())).isEqualTo(Outcome.DUPLICATE);
    assertThat(projection.find("demo", "m-1", PRIMARY).orElseThrow().removed()).isTrue();
  }

  @Test
  void a_fresh_projection_over_the_same_store_knows_what_was_applied() {
    projection.apply(uploaded());

    MediaProjection restarted = new MediaProjection(store);

    assertThat(restarted.find("demo", "m-1", NEAREST)).isPresent();
    assertThat(restarted.apply(uploaded())).isEqualTo(Outcome.DUPLICATE);
  }

  @Test
  void a_projection_set_hands_each_projection_only_the_events_it_follows() {
    List<EventEnvelope> threads = new ArrayList<>();
    Projection threadProjection =
        new Projection() {
          @Override
          public boolean follows(LoggedEvent event) {
            return event instanceof CommentEvent;
          }

          @Override
          public Outcome apply(EventEnvelope envelope) {
            threads.add(envelope);
            return Outcome.APPLIED;
          }

          @Override
          public void reset() {}
        };
    Map<String, Projection> members = new LinkedHashMap<>();
    members.put("threads", threadProjection);
    members.put("media", projection);
    ProjectionSet router =
        new ProjectionSet(
            members,
            new DeadLetters(
                database.getCollection(DeadLetters.COLLECTION),
                Clock.fixed(T, ZoneOffset.UTC),
                Stores.UNTAGGED));
    EventEnvelope posted =
        new EventEnvelope(
            "e-1",
            new ThreadId("demo", "t"),
            0,
            T,
            new CommentPosted("demo", "t", "c-1", null, Author.anonymous("s-1", "Ann"), "hi", T));

    router.apply(posted);
    router.apply(uploaded());

    assertThat(threads).containsExactly(posted);
    assertThat(projection.find("demo", "m-1", NEAREST)).isPresent();
  }

  private static EventEnvelope uploaded() {
    return new EventEnvelope(
        "e-up",
        STREAM,
        0,
        T,
        new MediaUploaded("demo", "m-1", "abc", "image/png", 10, 2, 3, "s-1", T));
  }

  private static EventEnvelope removed() {
    return new EventEnvelope("e-rm", STREAM, 1, T, new MediaRemoved("demo", "m-1", "mod", T));
  }
}
