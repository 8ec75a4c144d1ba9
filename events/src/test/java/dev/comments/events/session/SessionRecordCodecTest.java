package dev.comments.events.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.events.codec.EventDecodingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionRecordCodecTest {
  private final SessionRecordCodec codec = new SessionRecordCodec();
  private final SessionRevoked revoked =
      new SessionRevoked(
          "demo",
          "q1w2e3r4t5y6u7i8o9p0a1s2",
          Instant.parse("2026-04-01T10:15:30Z"),
          Instant.parse("2026-03-02T08:00:00Z"));

  private final UserBlocked blocked =
      new UserBlocked(
          "demo",
          "q1w2e3r4t5y6u7i8o9p0a1s2",
          "z9x8c7v6b5n4m3l2k1j0h9g8",
          Instant.parse("2026-04-01T10:15:30Z"),
          Instant.parse("2026-03-02T08:00:00Z"));

  @Test
  void a_block_round_trips_through_its_golden_v1_fixture() throws IOException {
    byte[] golden = fixture("UserBlocked");
    assertThat(codec.decode(golden)).isEqualTo(blocked);
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(codec.encode(blocked))).isEqualTo(json.readTree(golden));
  }

  @Test
  void a_blocks_key_is_one_per_reader_and_blocked_user_and_names_both() {
    assertThat(blocked.key())
        .isEqualTo("demo/q1w2e3r4t5y6u7i8o9p0a1s2/blocks/z9x8c7v6b5n4m3l2k1j0h9g8");
    assertThat(UserBlocked.sessionKeyOf(blocked.key())).isEqualTo("demo/q1w2e3r4t5y6u7i8o9p0a1s2");
    assertThat(UserBlocked.blockedIdOf(blocked.key())).isEqualTo("z9x8c7v6b5n4m3l2k1j0h9g8");
    assertThat(UserBlocked.sessionKeyOf(revoked.key())).isNull();
  }

  @Test
  void the_golden_v1_fixture_decodes() throws IOException {
    assertThat(codec.decode(fixture())).isEqualTo(revoked);
  }

  @Test
  void encoding_gives_the_golden_json() throws IOException {
    ObjectMapper json = new ObjectMapper();

    assertThat(json.readTree(codec.encode(revoked))).isEqualTo(json.readTree(fixture()));
  }

  @Test
  void the_key_is_one_per_session() {
    assertThat(revoked.key()).isEqualTo("demo/q1w2e3r4t5y6u7i8o9p0a1s2");
  }

  @Test
  void refuses_another_type_or_version() {
    String other = new String(codec.encode(revoked), StandardCharsets.UTF_8);

    assertThatThrownBy(
            () ->
                codec.decode(
                    other
                        .replace("\"version\":1", "\"version\":2")
                        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class);
    assertThatThrownBy(
            () -> codec.decode("{\"type\":\"CommentPosted\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class);
    assertThatThrownBy(() -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class);
  }

  private static byte[] fixture() throws IOException {
    return fixture("SessionRevoked");
  }

  private static byte[] fixture(String type) throws IOException {
    try (InputStream in =
        SessionRecordCodecTest.class.getResourceAsStream(
            "/fixtures/session/" + type + ".v1.json")) {
      return in.readAllBytes();
    }
  }
}
