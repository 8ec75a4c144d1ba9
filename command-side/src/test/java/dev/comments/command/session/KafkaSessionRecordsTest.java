package dev.comments.command.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.command.SessionRecords;
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
            producer, "comments.events.revocations", Clock.fixed(NOW, ZoneOffset.UTC));

    revocations.revoke("demo", "abc123abc123abc123abc123", EXPIRES);

    assertThat(producer.history()).hasSize(1);
    ProducerRecord<String, byte[]> sent = producer.history().getFirst();
    assertThat(sent.topic()).isEqualTo("comments.events.revocations");
    assertThat(sent.key()).isEqualTo("demo/abc123abc123abc123abc123");
    assertThat(new SessionRecordCodec().decode(sent.value()))
        .isEqualTo(new SessionRevoked("demo", "abc123abc123abc123abc123", EXPIRES, NOW));
  }

  @Test
  void a_send_kafka_did_not_acknowledge_is_unavailable() {
    MockProducer<String, byte[]> producer =
        new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    KafkaSessionRecords revocations =
        new KafkaSessionRecords(producer, "t.revocations", Clock.fixed(NOW, ZoneOffset.UTC));
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
