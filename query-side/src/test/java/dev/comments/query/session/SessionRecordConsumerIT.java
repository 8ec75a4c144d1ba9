package dev.comments.query.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.comments.events.moderation.ModeratorRecordCodec;
import dev.comments.events.session.SessionRecordCodec;
import dev.comments.events.session.SessionRevoked;
import dev.comments.events.session.UserBlocked;
import dev.comments.infra.kafka.KafkaBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The sessions' topic on a real broker, read by consumers started before and after a write. */
class SessionRecordConsumerIT {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir static Path brokerDir;
  private static KafkaBroker broker;
  private static KafkaProducer<String, byte[]> producer;
  private final SessionRecordCodec codec = new SessionRecordCodec();

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start(brokerDir);
    producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  @AfterAll
  static void stopBroker() {
    producer.close();
    broker.close();
  }

  @Test
  void a_node_started_later_knows_every_live_revocation_once_loaded() throws Exception {
    String log = newLog();
    revoke(log, "ada-session-000000000001", NOW.plus(Duration.ofDays(1)));
    revoke(log, "old-session-000000000001", NOW.minusSeconds(1));

    try (SessionRecordConsumer consumer =
        SessionRecordConsumer.start(broker.bootstrapServers(), log, "late", CLOCK)) {
      assertThat(consumer.awaitLoaded(Duration.ofSeconds(60))).isTrue();

      assertThat(consumer.isRevoked("demo", "ada-session-000000000001")).isTrue();
      assertThat(consumer.isRevoked("demo", "old-session-000000000001")).isFalse();
      assertThat(consumer.isRevoked("other", "ada-session-000000000001")).isFalse();
    }
  }

  @Test
  void a_running_node_learns_a_new_revocation_within_seconds() throws Exception {
    String log = newLog();
    try (SessionRecordConsumer consumer =
        SessionRecordConsumer.start(broker.bootstrapServers(), log, "running", CLOCK)) {
      assertThat(consumer.awaitLoaded(Duration.ofSeconds(60))).isTrue();
      assertThat(consumer.isRevoked("demo", "bob-session-000000000001")).isFalse();

      revoke(log, "bob-session-000000000001", NOW.plus(Duration.ofDays(1)));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> consumer.isRevoked("demo", "bob-session-000000000001"));
    }
  }

  @Test
  void a_stop_closes_the_kafka_consumer_cleanly_with_nothing_logged_as_an_error() throws Exception {
    Logger kafkaLog = (Logger) LoggerFactory.getLogger("org.apache.kafka");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    kafkaLog.addAppender(logged);
    try {
      String log = newLog();
      SessionRecordConsumer consumer =
          SessionRecordConsumer.start(broker.bootstrapServers(), log, "stopping", CLOCK);
      assertThat(consumer.awaitLoaded(Duration.ofSeconds(60))).isTrue();

      // The consumer is in a poll now: a stop wakes it, and its close must not be interrupted.
      consumer.close();

      assertThat(logged.list)
          .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .extracting(ILoggingEvent::getFormattedMessage)
          .isEmpty();
    } finally {
      kafkaLog.detachAppender(logged);
    }
  }

  @Test
  void blocks_are_known_to_a_node_started_later_and_unblocks_and_expiries_forget_them()
      throws Exception {
    String log = newLog();
    String topic = SessionRecordCodec.topicOf(log);
    String reader = "bob-session-000000000001";
    block(log, reader, "ada", NOW.plus(Duration.ofDays(1)));
    block(log, reader, "eve", NOW.plus(Duration.ofDays(1)));
    block(log, "old-session-000000000001", "ada", NOW.minusSeconds(1));
    producer
        .send(new ProducerRecord<>(topic, UserBlocked.keyOf("demo", reader, "eve"), null))
        .get();

    try (SessionRecordConsumer consumer =
        SessionRecordConsumer.start(broker.bootstrapServers(), log, "blocks", CLOCK)) {
      assertThat(consumer.awaitLoaded(Duration.ofSeconds(60))).isTrue();
      assertThat(consumer.blockedBy("demo", reader)).containsExactly("ada");
      assertThat(consumer.isBlocked("demo", reader, "ada")).isTrue();
      assertThat(consumer.isBlocked("demo", reader, "eve")).isFalse();
      assertThat(consumer.blockedBy("demo", "old-session-000000000001")).isEmpty();
      assertThat(consumer.isRevoked("demo", reader)).isFalse();

      producer
          .send(new ProducerRecord<>(topic, UserBlocked.keyOf("demo", reader, "ada"), null))
          .get();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> consumer.blockedBy("demo", reader).isEmpty());
    }
  }

  private void block(String log, String sessionId, String blockedId, Instant expiresAt)
      throws Exception {
    UserBlocked blocked = new UserBlocked("demo", sessionId, blockedId, expiresAt, NOW);
    producer
        .send(
            new ProducerRecord<>(
                SessionRecordCodec.topicOf(log), blocked.key(), codec.encode(blocked)))
        .get();
  }

  /**
   * A fresh event log name, and its sessions' and moderators' topics as the primary creates them.
   */
  private static String newLog() throws Exception {
    String log = "events-" + UUID.randomUUID();
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(SessionRecordCodec.topicOf(log), 1, (short) 1)
                      .configs(Map.of("cleanup.policy", "compact,delete")),
                  new NewTopic(ModeratorRecordCodec.topicOf(log), 1, (short) 1)
                      .configs(Map.of("cleanup.policy", "compact"))))
          .all()
          .get();
    }
    return log;
  }

  private void revoke(String log, String sessionId, Instant expiresAt) throws Exception {
    SessionRevoked revoked = new SessionRevoked("demo", sessionId, expiresAt, NOW);
    producer
        .send(
            new ProducerRecord<>(
                SessionRecordCodec.topicOf(log), revoked.key(), codec.encode(revoked)))
        .get();
  }
}
