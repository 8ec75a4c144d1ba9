package dev.comments.events.moderation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.events.codec.EventDecodingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ModeratorRecordCodecTest {
  private final ModeratorRecordCodec codec = new ModeratorRecordCodec();
  private final ModeratorAppointed appointed =
      new ModeratorAppointed(
          "demo",
          "Xk3p9QaZr7LmT2vB",
          "Ada Moderator",
          "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg",
          "admin",
          Instant.parse("2026-03-02T08:00:00Z"));

  @Test
  void an_appointment_round_trips_through_its_golden_v1_fixture() throws IOException {
    byte[] golden = fixture();
    assertThat(codec.decode(golden)).isEqualTo(appointed);
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(codec.encode(appointed))).isEqualTo(json.readTree(golden));
  }

  @Test
  void an_appointments_key_is_one_per_tenant_and_moderator() {
    assertThat(appointed.key()).isEqualTo("demo/Xk3p9QaZr7LmT2vB");
  }

  @Test
  void refuses_another_type_or_version() {
    assertThatThrownBy(
            () ->
                codec.decode(
                    "{\"type\":\"SessionRevoked\",\"version\":1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class);
    assertThatThrownBy(
            () ->
                codec.decode(
                    "{\"type\":\"ModeratorAppointed\",\"version\":2}"
                        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class);
  }

  @Test
  void refuses_a_record_without_a_valid_moderator_id() {
    assertThatThrownBy(
            () ->
                codec.decode(
                    ("{\"type\":\"ModeratorAppointed\",\"version\":1,\"tenant\":\"demo\","
                            + "\"moderatorId\":\"a/b\",\"name\":\"x\",\"tokenHash\":\"h\","
                            + "\"appointedBy\":\"admin\",\"appointedAt\":\"2026-03-02T08:00:00Z\"}")
                        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class);
  }

  private static byte[] fixture() throws IOException {
    try (InputStream in =
        ModeratorRecordCodecTest.class.getResourceAsStream(
            "/fixtures/moderation/ModeratorAppointed.v1.json")) {
      return in.readAllBytes();
    }
  }
}
