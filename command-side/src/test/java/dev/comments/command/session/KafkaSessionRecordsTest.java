package dev.comments.command.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.command.SessionRecords;
import dev.comments.events.moderation.ModeratorAppointed;
import dev.comments.events.moderation.ModeratorRecordCodec;
import dev.comments.events.session.SessionRecordCodec;
import dev.comments.events.session.SessionRevoked;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaSessionRecordsTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Instant EXPIRES = Instant.parse("2026-03-31T12:00:00Z");

  @Test
  void revoke_sends_one_record_keyed_by_session_on_the_revocations_topic() {
    MockProducer<String, byte[]> producer =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    KafkaSessionRecords revocations =
        new KafkaSessionRecords(
            producer,
            "comments.events.revocations",
            "comments.events.moderators",
            Clock.fixed(NOW, ZoneOffset.UTC));

    revocations.revoke("demo", "abc123abc123abc123abc123", EXPIRES);

    assertThat(producer.history()).hasSize(1);
    ProducerRecord<String, byte[]> sent = producer.history().getFirst();
    assertThat(sent.topic()).isEqualTo("comments.events.revocations");
    assertThat(sent.key()).isEqualTo("demo/abc123abc123abc123abc123");
    assertThat(new SessionRecordCodec().decode(sent.value()))
        .isEqualTo(new SessionRevoked("demo", "abc123abc123abc123abc123", EXPIRES, NOW));
  }

  @Test
  void an_appointment_and_a_dismissal_go_to_the_moderators_topic_under_one_key() {
    MockProducer<String, byte[]> producer =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    KafkaSessionRecords records =
        new KafkaSessionRecords(
            producer, "t.revocations", "t.moderators", Clock.fixed(NOW, ZoneOffset.UTC));
    ModeratorAppointed appointed =
        new ModeratorAppointed("demo", "Xk3p9QaZr7LmT2vB", "Ada", "hash", "admin", NOW);

    records.appoint(appointed);
    records.dismiss("demo", "Xk3p9QaZr7LmT2vB");

    assertThat(producer.history()).hasSize(2);
    assertThat(producer.history()).allSatisfy(r -> assertThat(r.topic()).isEqualTo("t.moderators"));
    assertThat(producer.history())
        .allSatisfy(r -> assertThat(r.key()).isEqualTo("demo/Xk3p9QaZr7LmT2vB"));
    assertThat(new ModeratorRecordCodec().decode(producer.history().getFirst().value()))
        .isEqualTo(appointed);
    assertThat(producer.history().getLast().value()).isNull();
  }

  @Test
  void a_send_kafka_did_not_acknowledge_is_unavailable() {
    MockProducer<String, byte[]> producer =
        new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    KafkaSessionRecords revocations =
        new KafkaSessionRecords(
            producer, "t.revocations", "t.moderators", Clock.fixed(NOW, ZoneOffset.UTC));
    Thread.ofVirtual()
        .start(
            () -> {
              while (producer.history().isEmpty()) {
                Thread.onSpinWait();
              }
              producer.errorNext(new RuntimeException("not enough replicas"));
            });

    assertThatThrownBy(() -> revocations.revoke("demo", "abc123abc123abc123abc123", EXPIRES))
        .isInstanceOf(SessionRecords.Unavailable.class);
  }
}
