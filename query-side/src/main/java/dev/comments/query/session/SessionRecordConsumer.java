package dev.comments.query.session;

import dev.comments.events.codec.EventDecodingException;
import dev.comments.events.moderation.ModeratorAppointed;
import dev.comments.events.moderation.ModeratorRecordCodec;
import dev.comments.events.session.SessionRecordCodec;
import dev.comments.events.session.SessionRevoked;
import dev.comments.events.session.UserBlocked;
import dev.comments.query.BlockedUsers;
import dev.comments.query.Moderators;
import dev.comments.query.RevokedSessions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the sessions' topic from its start, on its own thread, into memory: the revoked sessions
 * and the users each session blocked, with the session's expiry; expired ones are dropped, since
 * their tokens are refused anyway. Like the projection, it {@code assign()}s every partition (every
 * node needs every revocation) and keeps no offsets: the topic holds at most a session lifetime of
 * revocations, one per session.
 *
 * <p>It reads the moderators' topic ({@link ModeratorRecordCodec#topicOf}) the same way, into the
 * appointed moderators of each tenant: a dismissal (a tombstone) takes a moderator out at once.
 */
public final class SessionRecordConsumer
    implements RevokedSessions, BlockedUsers, Moderators, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SessionRecordConsumer.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

  private final String bootstrapServers;
  private final String topic;
  private final String moderatorsTopic;
  private final String nodeId;
  private final Clock clock;
  private final SessionRecordCodec codec = new SessionRecordCodec();
  private final ModeratorRecordCodec moderatorCodec = new ModeratorRecordCodec();

  /** By key ({@code tenant/moderatorId}); changes notify the waiters of {@link #await}. */
  private final Map<String, ModeratorAppointed> moderators = new ConcurrentHashMap<>();

  private final Map<String, Instant> revoked = new ConcurrentHashMap<>();

  /** By session key ({@code tenant/sessionId}): each blocked user and when the session expires. */
  private final Map<String, Map<String, Instant>> blocks = new ConcurrentHashMap<>();

  private final CountDownLatch loaded = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;
  private volatile KafkaConsumer<String, byte[]> consumer;

  private SessionRecordConsumer(
      String bootstrapServers, String eventLogTopic, String nodeId, Clock clock) {
    this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    this.topic = SessionRecordCodec.topicOf(eventLogTopic);
    this.moderatorsTopic = ModeratorRecordCodec.topicOf(eventLogTopic);
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.thread = Thread.ofPlatform().daemon().name("revocations-" + nodeId).unstarted(this::run);
  }

  /** Starts reading the revocations beside {@code eventLogTopic}; returns at once. */
  public static SessionRecordConsumer start(
      String bootstrapServers, String eventLogTopic, String nodeId, Clock clock) {
    SessionRecordConsumer consumer =
        new SessionRecordConsumer(bootstrapServers, eventLogTopic, nodeId, clock);
    consumer.thread.start();
    return consumer;
  }

  @Override
  public boolean isRevoked(String tenant, String sessionId) {
    return revoked.containsKey(tenant + "/" + sessionId);
  }

  @Override
  public Set<String> blockedBy(String tenant, String sessionId) {
    Map<String, Instant> blocked = blocks.get(tenant + "/" + sessionId);
    return blocked == null ? Set.of() : Set.copyOf(blocked.keySet());
  }

  @Override
  public boolean isBlocked(String tenant, String sessionId, String userId) {
    Map<String, Instant> blocked = blocks.get(tenant + "/" + sessionId);
    return blocked != null && blocked.containsKey(userId);
  }

  @Override
  public Optional<ModeratorAppointed> find(String tenant, String moderatorId) {
    return Optional.ofNullable(moderators.get(ModeratorAppointed.keyOf(tenant, moderatorId)));
  }

  @Override
  public List<ModeratorAppointed> of(String tenant) {
    List<ModeratorAppointed> found = new ArrayList<>();
    for (ModeratorAppointed moderator : moderators.values()) {
      if (moderator.tenant().equals(tenant)) {
        found.add(moderator);
      }
    }
    found.sort(
        Comparator.comparing(ModeratorAppointed::appointedAt)
            .thenComparing(ModeratorAppointed::moderatorId));
    return found;
  }

  @Override
  public boolean await(String tenant, String moderatorId, boolean appointed, Duration timeout)
      throws InterruptedException {
    String key = ModeratorAppointed.keyOf(tenant, moderatorId);
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (moderators) {
      while (moderators.containsKey(key) != appointed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(moderators, left);
      }
      return true;
    }
  }

  /** Waits until every record the topic held at start is known; false if time ran out. */
  public boolean awaitLoaded(Duration timeout) throws InterruptedException {
    return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    while (running) {
      try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(config())) {
        consumer = kafka;
        if (!running) {
          return;
        }
        List<PartitionInfo> infos = kafka.partitionsFor(topic, Duration.ofSeconds(5));
        List<PartitionInfo> moderatorInfos =
            kafka.partitionsFor(moderatorsTopic, Duration.ofSeconds(5));
        if (infos == null
            || infos.isEmpty()
            || moderatorInfos == null
            || moderatorInfos.isEmpty()) {
          log.info(
              "waiting for topics {} and {} (the primary creates them)", topic, moderatorsTopic);
        } else {
          List<TopicPartition> partitions = new ArrayList<>();
          infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
          moderatorInfos.forEach(
              p -> partitions.add(new TopicPartition(moderatorsTopic, p.partition())));
          kafka.assign(partitions);
          kafka.seekToBeginning(partitions);
          consume(kafka, kafka.endOffsets(partitions));
          return;
        }
      } catch (WakeupException e) {
        if (!running) {
          return;
        }
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        log.warn("revocation consumer {} failed; starting again", nodeId, e);
      } finally {
        consumer = null;
      }
      try {
        Thread.sleep(RETRY);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void consume(KafkaConsumer<String, byte[]> kafka, Map<TopicPartition, Long> end) {
    Map<TopicPartition, Long> pending = new HashMap<>(end);
    Instant nextPurge = clock.instant().plus(PURGE_EVERY);
    while (running) {
      for (ConsumerRecord<String, byte[]> record : kafka.poll(POLL)) {
        apply(record);
      }
      if (loaded.getCount() > 0) {
        pending.entrySet().removeIf(e -> kafka.position(e.getKey()) >= e.getValue());
        if (pending.isEmpty()) {
          log.info("{} revoked sessions known from {}", revoked.size(), topic);
          loaded.countDown();
        }
      }
      Instant now = clock.instant();
      if (now.isAfter(nextPurge)) {
        revoked.values().removeIf(expiresAt -> !expiresAt.isAfter(now));
        blocks.values().forEach(byUser -> byUser.values().removeIf(at -> !at.isAfter(now)));
        blocks.values().removeIf(Map::isEmpty);
        nextPurge = now.plus(PURGE_EVERY);
      }
    }
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    if (record.topic().equals(moderatorsTopic)) {
      applyModerator(record);
      return;
    }
    if (record.value() == null) {
      unblocked(record.key());
      return;
    }
    try {
      switch (codec.decode(record.value())) {
        case SessionRevoked revocation -> {
          if (revocation.expiresAt().isAfter(clock.instant())) {
            revoked.put(revocation.key(), revocation.expiresAt());
          }
        }
        case UserBlocked blocked -> {
          if (blocked.expiresAt().isAfter(clock.instant())) {
            Map<String, Instant> byUser =
                blocks.computeIfAbsent(
                    blocked.tenant() + "/" + blocked.sessionId(), s -> new ConcurrentHashMap<>());
            if (byUser.size() < MAX_PER_SESSION || byUser.containsKey(blocked.blockedId())) {
              byUser.put(blocked.blockedId(), blocked.expiresAt());
            }
          }
        }
      }
    } catch (EventDecodingException e) {
      log.error(
          "skipping an unreadable session record at offset {}: {}",
          record.offset(),
          e.getMessage());
    }
  }

  private void applyModerator(ConsumerRecord<String, byte[]> record) {
    if (record.key() == null) {
      return;
    }
    synchronized (moderators) {
      if (record.value() == null) {
        moderators.remove(record.key());
      } else {
        try {
          ModeratorAppointed appointed = moderatorCodec.decode(record.value());
          if (appointed.key().equals(record.key())) {
            moderators.put(record.key(), appointed);
          }
        } catch (EventDecodingException e) {
          log.error(
              "skipping an unreadable moderator record at offset {}: {}",
              record.offset(),
              e.getMessage());
        }
      }
      moderators.notifyAll();
    }
  }

  /** A tombstone: an unblock (a revocation is never taken back). */
  private void unblocked(String key) {
    String session = key == null ? null : UserBlocked.sessionKeyOf(key);
    if (session != null) {
      blocks.computeIfPresent(
          session,
          (s, byUser) -> {
            byUser.remove(UserBlocked.blockedIdOf(key));
            return byUser.isEmpty() ? null : byUser;
          });
    }
  }

  private Properties config() {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "comments-revocations-" + nodeId);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    return config;
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<String, byte[]> current = consumer;
    if (current != null) {
      current.wakeup();
    }
    try {
      // The wake-up ends a poll; the consumer then closes its fetch sessions with the broker.
      // Interrupted, that close fails with an error in the log on every stop: interrupt only a
      // thread that waits between attempts (RETRY) or hangs.
      thread.join(RETRY.multipliedBy(2).toMillis());
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
