package dev.comments.events.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.events.Author;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentStatus;
import dev.comments.events.HostPage;
import dev.comments.events.MediaUploaded;
import dev.comments.events.StreamId;
import dev.comments.events.TenantStream;
import dev.comments.events.ThreadId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {
  private final EventCodec codec = new EventCodec();
  private final ObjectMapper json = EventJson.newMapper();

  /** Every version of every event type has a golden fixture, the old ones included. */
  static Stream<String> allFixtures() {
    return EventTypes.all().stream()
        .flatMap(
            type ->
                IntStream.rangeClosed(1, type.version())
                    .mapToObj(v -> type.name() + ".v" + v + ".json"));
  }

  static Stream<String> currentFixtures() {
    return EventTypes.all().stream().map(type -> type.name() + ".v" + type.version() + ".json");
  }

  @ParameterizedTest
  @MethodSource("allFixtures")
  void every_fixture_of_every_version_decodes(String fixture) throws IOException {
    EventEnvelope envelope = codec.decode(read(fixture));

    assertThat(EventTypes.of(envelope.event()).name()).isEqualTo(fixture.split("\\.")[0]);
    assertThat(envelope.stream())
        .isIn(
            new ThreadId("demo", "launch-day"),
            TenantStream.media("demo", "m-7Qk2"),
            new TenantStream("ban", "demo", "s-44"));
  }

  @ParameterizedTest
  @MethodSource("currentFixtures")
  void current_version_round_trips_to_the_golden_json(String fixture) throws IOException {
    byte[] golden = read(fixture);

    JsonNode reencoded = json.readTree(codec.encode(codec.decode(golden)));

    assertThat(reencoded).isEqualTo(json.readTree(golden));
  }

  @Test
  void comment_posted_v1_upcasts_to_an_anonymous_author_with_the_default_name() throws IOException {
    EventEnvelope envelope = codec.decode(read("CommentPosted.v1.json"));

    assertThat(envelope.event())
        .isEqualTo(
            new CommentPosted(
                "demo",
                "launch-day",
                "c-1",
                null,
                Author.anonymous("s-42", Author.ANONYMOUS_NAME),
                "First!",
                Instant.parse("2026-03-01T10:15:30Z")));
  }

  @Test
  void comment_posted_v3_upcasts_to_a_comment_without_media() throws IOException {
    EventEnvelope envelope = codec.decode(read("CommentPosted.v3.json"));

    assertThat(envelope.event())
        .isEqualTo(
            new CommentPosted(
                "demo",
                "launch-day",
                "c-3",
                null,
                Author.anonymous("s-44", "Lin"),
                "Held for a moderator",
                Instant.parse("2026-03-01T10:22:00Z"),
                CommentStatus.PENDING,
                List.of(),
                null));
  }

  @Test
  void every_older_comment_posted_version_reads_with_an_empty_media_list() throws IOException {
    for (int version = 1; version <= 3; version++) {
      CommentPosted posted =
          (CommentPosted) codec.decode(read("CommentPosted.v" + version + ".json")).event();

      assertThat(posted.media()).as("version %d", version).isEmpty();
    }
  }

  @Test
  void comment_posted_v4_carries_its_media_in_order() throws IOException {
    CommentPosted posted = (CommentPosted) codec.decode(read("CommentPosted.v4.json")).event();

    assertThat(posted.media())
        .containsExactly("3f9a0c2e7b6d41e58a1f0d2c9b8e7a61", "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e");
  }

  @Test
  void every_older_comment_posted_version_reads_with_no_page() throws IOException {
    for (int version = 1; version <= 4; version++) {
      CommentPosted posted =
          (CommentPosted) codec.decode(read("CommentPosted.v" + version + ".json")).event();

      assertThat(posted.page()).as("version %d", version).isNull();
    }
  }

  @Test
  void comment_posted_v4_upcasts_to_the_same_comment_without_a_page() throws IOException {
    CommentPosted posted = (CommentPosted) codec.decode(read("CommentPosted.v4.json")).event();

    assertThat(posted.page()).isNull();
    assertThat(posted.text()).isEqualTo("Two pictures of the launch");
    assertThat(posted.media()).hasSize(2);
  }

  @Test
  void comment_posted_v5_carries_the_page_it_was_written_on() throws IOException {
    CommentPosted posted = (CommentPosted) codec.decode(read("CommentPosted.v5.json")).event();

    assertThat(posted)
        .isEqualTo(
            new CommentPosted(
                "demo",
                "launch-day",
                "c-5",
                null,
                Author.anonymous("s-46", "Ada"),
                "Which launch pad?",
                Instant.parse("2026-03-01T10:24:00Z"),
                CommentStatus.PENDING,
                List.of(),
                new HostPage(
                    "https://news.example.com/2026/03/launch-day", "Launch day: the pad at dawn")));
  }

  @Test
  void a_comment_posted_without_a_page_encodes_it_as_null_and_reads_back_the_same() {
    CommentPosted posted =
        new CommentPosted(
            "demo",
            "t",
            "c",
            null,
            Author.anonymous("s", "A"),
            "x",
            Instant.parse("2026-03-01T10:17:00Z"),
            CommentStatus.APPROVED);
    EventEnvelope envelope =
        new EventEnvelope(
            "e", new ThreadId("demo", "t"), 0, Instant.parse("2026-03-01T10:17:00Z"), posted);

    assertThat(codec.decode(codec.encode(envelope)).event()).isEqualTo(posted);
  }

  @Test
  void a_comment_posted_payload_without_media_reads_as_none() {
    byte[] bare =
        """
        {"eventId":"e","type":"CommentPosted","version":4,"stream":"demo/t","seq":0,
         "time":"2026-03-01T10:17:00Z","payload":{"tenant":"demo","thread":"t","commentId":"c",
         "parentId":null,"author":{"kind":"anonymous","id":"s","name":"A"},"text":"x",
         "postedAt":"2026-03-01T10:17:00Z","status":"approved","media":null}}"""
            .getBytes(StandardCharsets.UTF_8);

    assertThat(((CommentPosted) codec.decode(bare).event()).media()).isEmpty();
  }

  @Test
  void upcasting_a_v1_payload_does_not_change_the_caller_s_tree() throws IOException {
    var payload =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(read("CommentPosted.v1.json")).get("payload");
    String before = payload.toString();

    Upcasters.toCurrent("CommentPosted", 1, payload);

    assertThat(payload.toString()).isEqualTo(before);
  }

  @Test
  void rejects_a_version_newer_than_this_code_knows() {
    byte[] future =
        """
        {"eventId":"e","type":"CommentEdited","version":9,"stream":"demo/t","seq":0,
         "time":"2026-03-01T10:17:00Z","payload":{}}"""
            .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> codec.decode(future))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("CommentEdited version 9");
  }

  @Test
  void rejects_an_unknown_event_type() {
    byte[] unknown =
        """
        {"eventId":"e","type":"CommentTeleported","version":1,"stream":"demo/t","seq":0,
         "time":"2026-03-01T10:17:00Z","payload":{}}"""
            .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> codec.decode(unknown))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("unknown event type: CommentTeleported");
  }

  @Test
  void comment_edited_v1_upcasts_to_an_edit_that_keeps_the_media_and_v2_names_the_new_ones()
      throws IOException {
    CommentEdited kept = (CommentEdited) codec.decode(read("CommentEdited.v1.json")).event();
    CommentEdited replaced = (CommentEdited) codec.decode(read("CommentEdited.v2.json")).event();

    assertThat(kept.text()).isEqualTo("Second, edited");
    assertThat(kept.media()).isNull();
    assertThat(replaced.media()).containsExactly("3f9a0c2e7b6d41e58a1f0d2c9b8e7a61");
  }

  @Test
  void rejects_an_envelope_whose_stream_disagrees_with_its_event() throws IOException {
    String golden = new String(read("CommentEdited.v1.json"), StandardCharsets.UTF_8);
    byte[] moved =
        golden
            .replace("\"stream\":\"demo/launch-day\"", "\"stream\":\"demo/other\"")
            .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> codec.decode(moved))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("in stream demo/other");
  }

  @Test
  void a_media_event_travels_in_its_tenant_scoped_stream() throws IOException {
    EventEnvelope envelope = codec.decode(read("MediaUploaded.v1.json"));

    assertThat(envelope.stream().streamId()).isEqualTo("media:demo/m-7Qk2");
    assertThat(envelope.event()).isInstanceOf(MediaUploaded.class);
    assertThatThrownBy(envelope::thread).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void a_thread_whose_name_looks_like_a_media_stream_stays_a_thread() {
    assertThat(StreamId.parse("demo/media:x")).isEqualTo(new ThreadId("demo", "media:x"));
    assertThat(StreamId.parse("media:demo/x")).isEqualTo(TenantStream.media("demo", "x"));
  }

  @Test
  void rejects_a_media_event_in_a_thread_stream() throws IOException {
    String golden = new String(read("MediaRemoved.v1.json"), StandardCharsets.UTF_8);
    byte[] moved =
        golden
            .replace("\"stream\":\"media:demo/m-7Qk2\"", "\"stream\":\"demo/m-7Qk2\"")
            .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> codec.decode(moved))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("in stream demo/m-7Qk2");
  }

  @Test
  void rejects_garbage_with_a_decoding_error() {
    assertThatThrownBy(() -> codec.decode("{\"type\":".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class);
    assertThatThrownBy(() -> codec.decode("[]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class);
  }

  private static byte[] read(String fixture) throws IOException {
    try (InputStream in = EventCodecTest.class.getResourceAsStream("/fixtures/" + fixture)) {
      assertThat(in).as("fixture %s", fixture).isNotNull();
      return in.readAllBytes();
    }
  }
}
