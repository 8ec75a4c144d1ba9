package dev.comments.command.session;

import dev.comments.command.ModeratorRecords;
import dev.comments.command.SessionRecords;
import dev.comments.events.moderation.ModeratorAppointed;
import dev.comments.events.moderation.ModeratorRecordCodec;
import dev.comments.events.session.SessionRecordCodec;
import dev.comments.events.session.SessionRevoked;
import dev.comments.events.session.UserBlocked;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions' records (sign-outs and blocks) on their own small Kafka topic ({@link
 * SessionRecordCodec#topicOf}), keyed by session (and blocked user): compacted, so each key keeps
 * one record, and deleted after {@code retention} (at least the session lifetime), so the topic
 * holds only sessions that could still be used. A record is acknowledged by every in-sync replica
 * before its method returns: the topic is the durable record, and every node reads it from its
 * start into memory.
 *
 * <p>The same producer records moderators on the moderators' topic ({@link
 * ModeratorRecordCodec#topicOf}): compacted but never expired, since an appointment lasts until it
 * is dismissed.
 */
public final class KafkaSessionRecords implements SessionRecords, ModeratorRecords, AutoCloseable {
  static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(KafkaSessionRecords.class);

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final String moderatorsTopic;
  private final Clock clock;
  private final SessionRecordCodec codec = new SessionRecordCodec();
  private final ModeratorRecordCodec moderatorCodec = new ModeratorRecordCodec();
  private final CountDownLatch topicReady = new CountDownLatch(1);
  private volatile Thread topicSetup;

  KafkaSessionRecords(
      Producer<String, byte[]> producer, String topic, String moderatorsTopic, Clock clock) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.moderatorsTopic = Objects.requireNonNull(moderatorsTopic, "moderatorsTopic");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A producer, and the revocations topic beside {@code eventLogTopic} created in the background
   * unless it exists (retried while Kafka cannot be reached: the node starts regardless, and a
   * sign-out meanwhile is {@link Unavailable}).
   *
   * @param retention how long a revocation is kept: at least the sessions' lifetime
   */
  public static KafkaSessionRecords start(
      String bootstrapServers,
      String eventLogTopic,
      short replicationFactor,
      Duration retention,
      Clock clock) {
    String topic = SessionRecordCodec.topicOf(eventLogTopic);
    String moderatorsTopic = ModeratorRecordCodec.topicOf(eventLogTopic);
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "comments-revocations");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    // A sign-out waits for its record alone: no batching, and it gives up within SEND_TIMEOUT.
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis() / 2);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
    KafkaSessionRecords revocations =
        new KafkaSessionRecords(
            new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer()),
            topic,
            moderatorsTopic,
            clock);
    revocations.topicSetup =
        Thread.ofPlatform()
            .daemon()
            .name("revocations-topic-setup")
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    try {
                      ensureTopic(
                          bootstrapServers,
                          topic,
                          replicationFactor,
                          Map.of(
                              TopicConfig.CLEANUP_POLICY_CONFIG,
                              TopicConfig.CLEANUP_POLICY_COMPACT
                                  + ","
                                  + TopicConfig.CLEANUP_POLICY_DELETE,
                              TopicConfig.RETENTION_MS_CONFIG,
                              Long.toString(retention.toMillis())));
                      ensureTopic(
                          bootstrapServers,
                          moderatorsTopic,
                          replicationFactor,
                          Map.of(
                              TopicConfig.CLEANUP_POLICY_CONFIG,
                              TopicConfig.CLEANUP_POLICY_COMPACT));
                      revocations.topicReady.countDown();
                      return;
                    } catch (RuntimeException e) {
                      log.warn("cannot set up topic {} yet ({}); retrying", topic, e.toString());
                    }
                    try {
                      Thread.sleep(1_000);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    return revocations;
  }

  /** Waits until the topic exists (created here, or found); false if time ran out. */
  public boolean awaitTopic(Duration timeout) throws InterruptedException {
    return topicReady.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void revoke(String tenant, String sessionId, Instant expiresAt) {
    SessionRevoked revoked = new SessionRevoked(tenant, sessionId, expiresAt, clock.instant());
    send("revocation", revoked.key(), codec.encode(revoked));
  }

  @Override
  public void block(String tenant, String sessionId, String blockedId, Instant expiresAt) {
    UserBlocked blocked = new UserBlocked(tenant, sessionId, blockedId, expiresAt, clock.instant());
    send("block", blocked.key(), codec.encode(blocked));
  }

  /** A tombstone: compaction then forgets the block altogether. */
  @Override
  public void unblock(String tenant, String sessionId, String blockedId) {
    send("unblock", UserBlocked.keyOf(tenant, sessionId, blockedId), null);
  }

  @Override
  public void appoint(ModeratorAppointed appointed) {
    send(moderatorsTopic, "appointment", appointed.key(), moderatorCodec.encode(appointed));
  }

  /** A tombstone: the token is refused from then on, and compaction forgets the appointment. */
  @Override
  public void dismiss(String tenant, String moderatorId) {
    send(moderatorsTopic, "dismissal", ModeratorAppointed.keyOf(tenant, moderatorId), null);
  }

  private void send(String what, String key, byte[] value) {
    send(topic, what, key, value);
  }

  private void send(String toTopic, String what, String key, byte[] value) {
    try {
      producer
          .send(new ProducerRecord<>(toTopic, key, value))
          .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new Unavailable("the " + what + " was not acknowledged by Kafka", e.getCause());
    } catch (TimeoutException e) {
      throw new Unavailable("the " + what + " was not acknowledged within " + SEND_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted while sending a " + what, e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new Unavailable("Kafka refused the " + what, e);
    }
  }

  private static void ensureTopic(
      String bootstrapServers,
      String topic,
      short replicationFactor,
      Map<String, String> topicConfig) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "comments-revocations-admin");
    try (Admin admin = Admin.create(config)) {
      NewTopic newTopic = new NewTopic(topic, 1, replicationFactor).configs(topicConfig);
      admin
          .createTopics(List.of(newTopic))
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic " + topic, e.getCause());
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within " + ADMIN_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + topic, e);
    }
  }

  @Override
  public void close() {
    Thread setup = topicSetup;
    if (setup != null) {
      setup.interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
