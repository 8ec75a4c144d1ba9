package dev.comments.command.publish;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The publisher's side of Kafka: its producer settings and the event log topic. */
public final class KafkaSetup {
  private static final Logger log = LoggerFactory.getLogger(KafkaSetup.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private KafkaSetup() {}

  /**
   * The name of the one publisher of a deployment's event log: every node of the deployment uses
   * the same, so the latest to start fences the others.
   */
  public static String transactionalId(String topic) {
    return "comments-publisher:" + topic;
  }

  /**
   * A transactional producer (hence idempotent) that waits for every in-sync replica: with at most
   * five requests in flight, retries can neither duplicate nor reorder the events of a partition,
   * and a transaction aborted midway shows nothing to {@code read_committed} consumers.
   */
  public static Producer<String, byte[]> newProducer(
      String bootstrapServers, String transactionalId) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "comments-publisher");
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    // The publisher sends a batch as soon as it has one: no reason to wait for more records.
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    // Kafka's own defaults: within them the producer retries without duplicating; past them the
    // transaction fails and the publisher sends it again with a new producer.
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
    return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  /** The event log topic and where it lives. */
  public record Topic(
      String bootstrapServers, String name, int partitions, short replicationFactor) {
    /**
     * The in-sync replicas a write needs before it is acknowledged: two where there are three
     * copies or more, so that an acknowledged event survives the loss of any one broker while one
     * broker may be down; one on a single-node or two-node cluster, which cannot do better.
     */
    public int minInsyncReplicas() {
      return replicationFactor >= 3 ? 2 : 1;
    }
  }

  /** How many copies of the log a topic keeps, and how many a write must reach. */
  public record Durability(int replicationFactor, int minInsyncReplicas) {
    /** Whether an acknowledged event survives the loss of a broker. */
    public boolean survivesBrokerLoss() {
      return replicationFactor >= 3 && minInsyncReplicas >= 2;
    }
  }

  /**
   * Creates the event log topic unless it exists, then waits until every partition takes writes.
   * Retention is unlimited: the log is the source every projection is rebuilt from, so nothing may
   * age out of it.
   */
  public static void ensureTopic(Topic topic) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, topic.bootstrapServers());
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "comments-publisher-admin");
    try (Admin admin = Admin.create(config)) {
      NewTopic newTopic =
          new NewTopic(topic.name(), topic.partitions(), topic.replicationFactor())
              .configs(
                  Map.of(
                      TopicConfig.RETENTION_MS_CONFIG,
                      "-1",
                      TopicConfig.RETENTION_BYTES_CONFIG,
                      "-1",
                      TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                      String.valueOf(topic.minInsyncReplicas())));
      try {
        admin
            .createTopics(List.of(newTopic))
            .all()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        log.info(
            "Created topic {} ({} partitions, replication factor {}, min.insync.replicas {})",
            topic.name(),
            topic.partitions(),
            topic.replicationFactor(),
            topic.minInsyncReplicas());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topic " + topic.name(), e.getCause());
        }
      }
      awaitWritable(admin, topic.name());
      warnIfWeak(topic.name(), durability(admin, topic.name()));
      warnIfForgetful(admin, topic.name());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within " + ADMIN_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + topic.name(), e);
    }
  }

  /**
   * What the topic as it exists keeps: it may predate this node's settings, or have been created by
   * an operator, so it is read from the brokers rather than assumed.
   */
  static Durability durability(Admin admin, String topic)
      throws InterruptedException, TimeoutException {
    try {
      int copies =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .get(topic)
              .partitions()
              .stream()
              .mapToInt(p -> p.replicas().size())
              .min()
              .orElse(0);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      String minInsync =
          admin
              .describeConfigs(List.of(resource))
              .all()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .get(resource)
              .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)
              .value();
      // Kafka caps min.insync.replicas at the replication factor (a one-copy topic asking for two
      // still takes writes), so the cap is what a write really needs.
      return new Durability(copies, Math.min(copies, Integer.parseInt(minInsync)));
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot describe topic " + topic, e.getCause());
    }
  }

  /**
   * Says at start when the log can lose acknowledged events: an operator must learn it from the
   * node, not from a lost broker.
   */
  static void warnIfWeak(String topic, Durability durability) {
    if (!durability.survivesBrokerLoss()) {
      log.warn(
          "Topic {} keeps {} cop{} of the event log and acknowledges a write held by {}: losing"
              + " one broker can lose acknowledged events. Production uses replication factor 3"
              + " and min.insync.replicas=2 (docs/deploy.md).",
          topic,
          durability.replicationFactor(),
          durability.replicationFactor() == 1 ? "y" : "ies",
          durability.minInsyncReplicas());
    } else {
      log.info(
          "Topic {}: {} copies, a write is acknowledged once {} hold it",
          topic,
          durability.replicationFactor(),
          durability.minInsyncReplicas());
    }
  }

  /**
   * Says at start when the log does not keep every event: a projection rebuild replays it from its
   * beginning, so a topic an operator made with a finite retention (or compaction) would rebuild
   * projections that silently lack what aged out.
   */
  static void warnIfForgetful(Admin admin, String topic)
      throws InterruptedException, TimeoutException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      var config =
          admin
              .describeConfigs(List.of(resource))
              .all()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .get(resource);
      String ms = config.get(TopicConfig.RETENTION_MS_CONFIG).value();
      String bytes = config.get(TopicConfig.RETENTION_BYTES_CONFIG).value();
      String cleanup = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
      if (!"-1".equals(ms) || !"-1".equals(bytes) || !"delete".equals(cleanup)) {
        log.warn(
            "Topic {} does not keep every event (retention.ms={}, retention.bytes={},"
                + " cleanup.policy={}): a projection rebuild would lose what aged out. Set"
                + " retention.ms=-1 and retention.bytes=-1 (docs/operations.md).",
            topic,
            ms,
            bytes,
            cleanup);
      }
    } catch (ExecutionException e) {
      log.warn("cannot read the retention of topic {}: {}", topic, e.getCause().toString());
    }
  }

  /** {@link #ensureTopic} until it succeeds, backing off while Kafka is unreachable. */
  public static void ensureTopicWithRetries(Topic topic) {
    Duration backoff = Duration.ofMillis(200);
    while (!Thread.currentThread().isInterrupted()) {
      try {
        ensureTopic(topic);
        return;
      } catch (RuntimeException e) {
        log.warn("Cannot set up topic {} yet ({}); retrying in {}", topic.name(), e, backoff);
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoff =
          backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
              ? MAX_BACKOFF
              : backoff.multipliedBy(2);
    }
  }

  /**
   * Waits until the leader of every partition answers for its log. A leader in the metadata is not
   * enough: a just-created partition was seen to answer NOT_LEADER_OR_FOLLOWER, then
   * OUT_OF_ORDER_SEQUENCE_NUMBER to the idempotent producer's retries, for long enough on a loaded
   * machine that a batch timed out and was published twice. Listing the partitions' offsets is
   * served by their leaders only, so its success is the signal.
   */
  private static void awaitWritable(Admin admin, String topic)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (true) {
      try {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .get(topic)
            .partitions()
            .forEach(
                p -> partitions.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        admin.listOffsets(partitions).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "topic " + topic + " did not take writes within " + ADMIN_TIMEOUT, notYet.getCause());
        }
        Thread.sleep(100);
      }
    }
  }
}
