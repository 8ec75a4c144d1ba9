package dev.comments.query.projection;

import dev.comments.events.ReadPreference;
import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link Projection} from every partition of the event log, on one thread of its own.
 *
 * <p>Every node consumes everything, so partitions are {@code assign()}ed, not shared through a
 * consumer group, and positions live in the node's own MongoDB ({@link OffsetStore}), stored after
 * each batch is applied. Dying between the two re-delivers the batch, which the projection absorbs
 * because it is idempotent by sequence number; the offsets only save work.
 *
 * <p>A record that cannot be decoded is logged with its partition and offset, counted ({@code
 * comments.projection.undecodable}) and parked in {@link DeadLetters}. Stopping instead would keep
 * every thread of the partition, and the node's readiness, hostage to one record that will never
 * read differently: the log is immutable. The cost is that the event is missing on this node until
 * a rebuild with a code version that reads it; this is why readers (query sides) must be upgraded
 * before writers start emitting a new schema version. A store or broker failure, in contrast, is
 * retried: the batch is rewound to the last stored offsets and applied again after a pause.
 *
 * <p>Beside it runs an {@link EndOffsetsProbe}, started once the topic is found and stopped with
 * the consumer; the consumer publishes its positions after every poll, empty or not, so that the
 * status can tell which probes it has reached.
 */
public final class ProjectionConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProjectionConsumer.class);

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration STORE_CAUGHT_UP_EVERY = Duration.ofSeconds(1);
  private static final Duration KAFKA_CALL = Duration.ofSeconds(10);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final String bootstrapServers;
  private final String topic;
  private final String clientId;
  private final Projection projection;
  private final OffsetStore offsets;
  private final AppliedEvents events;
  private final ConsumerStatus status;
  private final ProjectionMetrics metrics;
  private final DeadLetters deadLetters;
  private final EventCodec codec = new EventCodec();
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

  private volatile boolean running = true;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private Instant storedCaughtUpAt;

  public ProjectionConsumer(
      String bootstrapServers,
      String topic,
      String nodeId,
      Projection projection,
      OffsetStore offsets,
      AppliedEvents events,
      ConsumerStatus status,
      ProjectionMetrics metrics,
      DeadLetters deadLetters) {
    this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.clientId = "comments-query-" + Objects.requireNonNull(nodeId, "nodeId");
    this.projection = Objects.requireNonNull(projection, "projection");
    this.offsets = Objects.requireNonNull(offsets, "offsets");
    this.events = Objects.requireNonNull(events, "events");
    this.status = Objects.requireNonNull(status, "status");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.thread = Thread.ofPlatform().name("comments-projection-" + nodeId).unstarted(this::run);
  }

  public void start() {
    status.reset();
    thread.start();
  }

  /**
   * Runs {@code task} on the consumer thread between two batches, the projections' only writer; the
   * future fails if the consumer stops first.
   */
  public <T> CompletableFuture<T> onConsumerThread(Supplier<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    tasks.add(
        () -> {
          try {
            result.complete(task.get());
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    if (!running || !thread.isAlive()) {
      tasks.clear();
      result.completeExceptionally(new IllegalStateException("the consumer is not running"));
    }
    return result;
  }

  /** Whether the consumer thread is still at work. */
  public boolean running() {
    return running && thread.isAlive();
  }

  /**
   * Stops consuming and waits for the batch in hand to be applied and its offsets stored. The end
   * offsets probe stops with it, so the status's lag grows from here on and the node turns stale.
   */
  @Override
  public void close() {
    running = false;
    KafkaConsumer<String, byte[]> current = consumer;
    if (current != null) {
      current.wakeup();
    }
    try {
      // Let the batch in hand finish and store its offsets; interrupt only a consumer that hangs.
      thread.join(TimeUnit.SECONDS.toMillis(5));
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(25));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("projection consumer {} did not stop within 30 s", thread.getName());
    }
  }

  private void run() {
    resumeCaughtUpAt();
    List<TopicPartition> partitions = awaitTopic().orElse(null);
    if (partitions == null) {
      return;
    }
    try (EndOffsetsProbe probe =
        EndOffsetsProbe.start(
            adminConfig("-probe", EndOffsetsProbe.TIMEOUT),
            partitions,
            status,
            thread.getName() + "-probe")) {
      consume(partitions);
    }
  }

  /**
   * Starts from the staleness bound an earlier run stored: the projection still holds what it had
   * applied then. Without one, or if the store cannot say, the bound stays unknown (and the node
   * stale) until the first probe is reached.
   */
  private void resumeCaughtUpAt() {
    try {
      offsets.caughtUpAt(topic, ReadPreference.PRIMARY).ifPresent(status::resumeFrom);
    } catch (RuntimeException e) {
      log.warn("cannot load when projection {} was last caught up", topic, e);
    }
  }

  private void consume(List<TopicPartition> partitions) {
    Duration backoff = Duration.ofMillis(200);
    while (running) {
      try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerConfig())) {
        consumer = kafka;
        if (!running) {
          return;
        }
        kafka.assign(partitions);
        Map<TopicPartition, Long> stored = new HashMap<>();
        seekToStored(kafka, partitions, stored);
        status.started(kafka.endOffsets(partitions, KAFKA_CALL));
        log.info(
            "projection consumer {} reads {} partitions of {}", clientId, partitions.size(), topic);
        loop(kafka, partitions, stored);
        return;
      } catch (WakeupException e) {
        if (!running) {
          return;
        }
        log.warn("projection consumer {} woken up unexpectedly; starting it again", clientId);
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        // Startup failed (store or brokers unavailable): a node without projections is useless,
        // so keep trying rather than leave the thread dead.
        metrics.failures.increment();
        log.warn(
            "projection consumer {} could not start; retrying in {} ms",
            clientId,
            backoff.toMillis(),
            e);
      } finally {
        consumer = null;
      }
      if (!pause(backoff)) {
        return;
      }
      backoff = longer(backoff);
    }
  }

  private void seekToStored(
      KafkaConsumer<String, byte[]> kafka,
      List<TopicPartition> partitions,
      Map<TopicPartition, Long> stored) {
    stored.clear();
    stored.putAll(offsets.load(topic, ReadPreference.PRIMARY));
    for (TopicPartition partition : partitions) {
      Long next = stored.get(partition);
      if (next == null) {
        kafka.seekToBeginning(List.of(partition));
      } else {
        kafka.seek(partition, next);
      }
    }
  }

  private void loop(
      KafkaConsumer<String, byte[]> kafka,
      List<TopicPartition> partitions,
      Map<TopicPartition, Long> stored) {
    Duration backoff = Duration.ofMillis(100);
    while (running) {
      try {
        ConsumerRecords<String, byte[]> records = kafka.poll(POLL);
        if (!records.isEmpty()) {
          Map<TopicPartition, Long> next = apply(records);
          projection.flush();
          offsets.store(next);
          stored.putAll(next);
        }
        // Published after every poll, empty or not: the probe's answers wait for these.
        if (status.positions(positions(kafka, partitions))) {
          log.info("projection consumer {} caught up with the log", clientId);
        }
        storeCaughtUpAt();
        status.succeeded();
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
          task.run();
        }
        backoff = Duration.ofMillis(100);
      } catch (WakeupException e) {
        if (running) {
          throw e;
        }
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        metrics.failures.increment();
        status.failed();
        log.warn(
            "projection batch failed; rewinding to the stored offsets and retrying in {} ms",
            backoff.toMillis(),
            e);
        if (!pause(backoff)) {
          break;
        }
        backoff = longer(backoff);
        rewind(kafka, partitions, stored);
      }
    }
  }

  /**
   * Applies a batch in log order per partition; returns the next offset of each partition. The
   * batch is decoded first and handed to the projection whole ({@link Projection#prepare}), so that
   * a projection that can write it in bulk does, then applied event by event.
   */
  private Map<TopicPartition, Long> apply(ConsumerRecords<String, byte[]> records) {
    Map<TopicPartition, Long> next = new HashMap<>();
    List<ConsumerRecord<String, byte[]>> decodedRecords = new ArrayList<>();
    List<EventEnvelope> envelopes = new ArrayList<>();
    for (TopicPartition partition : records.partitions()) {
      for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
        EventEnvelope envelope = decode(record);
        if (envelope != null) {
          decodedRecords.add(record);
          envelopes.add(envelope);
        }
        next.put(partition, record.offset() + 1);
      }
    }
    projection.prepare(envelopes);
    for (int i = 0; i < envelopes.size(); i++) {
      apply(decodedRecords.get(i), envelopes.get(i));
    }
    return next;
  }

  /** The record's event, or null when it cannot be decoded: it is then parked. */
  private EventEnvelope decode(ConsumerRecord<String, byte[]> record) {
    try {
      return codec.decode(record.value());
    } catch (RuntimeException e) {
      metrics.undecodable.increment();
      log.error(
          "parking undecodable record at {}-{} offset {} (key {}): {}",
          record.topic(),
          record.partition(),
          record.offset(),
          record.key(),
          e.getMessage());
      deadLetters.park(
          DeadLetters.ALL,
          record.topic() + "-" + record.partition() + "@" + record.offset(),
          record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8),
          e);
      return null;
    }
  }

  private void apply(ConsumerRecord<String, byte[]> record, EventEnvelope envelope) {
    if (!envelope.stream().streamId().equals(record.key())) {
      // Harmless for this record, but ordering per thread rests on the key: say so loudly.
      log.warn(
          "record at {}-{} offset {} has key {} but carries stream {}",
          record.topic(),
          record.partition(),
          record.offset(),
          record.key(),
          envelope.stream());
    }
    switch (projection.apply(envelope)) {
      case APPLIED -> applied(envelope);
      case DUPLICATE -> metrics.duplicates.increment();
      case APPLIED_AFTER_GAP -> {
        metrics.gaps.increment();
        log.error(
            "event {} seq {} at {}-{} offset {} was applied after a gap in its stream",
            envelope.stream(),
            envelope.seq(),
            record.topic(),
            record.partition(),
            record.offset());
        applied(envelope);
      }
    }
  }

  private void applied(EventEnvelope envelope) {
    metrics.applied.increment();
    // The primary's clock stamped the event; clamped, as clocks of two machines may disagree.
    Duration delay = Duration.between(envelope.time(), status.now());
    metrics.replicationDelay.record(delay.isNegative() ? Duration.ZERO : delay);
    events.published(envelope);
  }

  private Map<TopicPartition, Long> positions(
      KafkaConsumer<String, byte[]> kafka, List<TopicPartition> partitions) {
    Map<TopicPartition, Long> positions = new HashMap<>();
    for (TopicPartition partition : partitions) {
      positions.put(partition, kafka.position(partition, KAFKA_CALL));
    }
    return positions;
  }

  /**
   * Stores the staleness bound beside the offsets, at most once a second, so that a restarted node
   * reports how stale its projection really is instead of counting from its start.
   */
  private void storeCaughtUpAt() {
    Instant at = status.caughtUpAt().orElse(null);
    if (at != null
        && (storedCaughtUpAt == null
            || Duration.between(storedCaughtUpAt, at).compareTo(STORE_CAUGHT_UP_EVERY) >= 0)) {
      offsets.storeCaughtUpAt(topic, at);
      storedCaughtUpAt = at;
    }
  }

  private void rewind(
      KafkaConsumer<String, byte[]> kafka,
      List<TopicPartition> partitions,
      Map<TopicPartition, Long> stored) {
    for (TopicPartition partition : partitions) {
      Long next = stored.get(partition);
      if (next == null) {
        kafka.seekToBeginning(List.of(partition));
      } else {
        kafka.seek(partition, next);
      }
    }
  }

  /**
   * The partitions of the topic, once it exists. The command side creates it with the partitions,
   * replication and unlimited retention the log needs; a consumer that created it on its own would
   * have to guess them, so it waits. Empty if closed before the topic appeared.
   */
  private Optional<List<TopicPartition>> awaitTopic() {
    Duration backoff = Duration.ofMillis(200);
    try (Admin admin = Admin.create(adminConfig("-admin", KAFKA_CALL))) {
      while (running) {
        try {
          TopicDescription description =
              admin
                  .describeTopics(List.of(topic))
                  .allTopicNames()
                  .get(KAFKA_CALL.toMillis(), TimeUnit.MILLISECONDS)
                  .get(topic);
          return Optional.of(
              description.partitions().stream()
                  .map(p -> new TopicPartition(topic, p.partition()))
                  .toList());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof UnknownTopicOrPartitionException) {
            log.info("waiting for topic {}: the command side creates it", topic);
          } else {
            log.warn("cannot describe topic {} yet: {}", topic, e.getCause().toString());
          }
        } catch (java.util.concurrent.TimeoutException e) {
          log.warn("cannot reach the Kafka brokers at {} yet", bootstrapServers);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
        if (!pause(backoff)) {
          return Optional.empty();
        }
        backoff = longer(backoff);
      }
    }
    return Optional.empty();
  }

  private static Duration longer(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
  }

  private boolean pause(Duration duration) {
    try {
      Thread.sleep(duration);
      return running;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Properties consumerConfig() {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    // Positions live in MongoDB with the projections; there is no consumer group to commit to.
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // The topic is the command side's to create, with the settings the log needs.
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return config;
  }

  private Properties adminConfig(String clientIdSuffix, Duration timeout) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + clientIdSuffix);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
    return config;
  }
}
