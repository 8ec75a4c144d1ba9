package dev.comments.command.publish;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
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

  private KafkaSetup() {}

  /**
   * An idempotent producer that waits for every in-sync replica: with at most five requests in
   * flight, retries can neither duplicate nor reorder the events of a partition.
   */
  public static Producer<String, byte[]> newProducer(String bootstrapServers) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "comments-publisher");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // Kafka's own defaults: within them the producer retries without duplicating; past them the
    // publisher starts again from its stored position, which can publish a batch a second time.
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Creates the event log topic unless it exists. Retention is unlimited: the log is the source
   * every projection is rebuilt from, so nothing may age out of it.
   */
  public static void ensureTopic(
      String bootstrapServers, String topic, int partitions, short replicationFactor) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "comments-publisher-admin");
    try (Admin admin = Admin.create(config)) {
      NewTopic newTopic =
          new NewTopic(topic, partitions, replicationFactor)
              .configs(
                  Map.of(
                      TopicConfig.RETENTION_MS_CONFIG,
                      "-1",
                      TopicConfig.RETENTION_BYTES_CONFIG,
                      "-1"));
      admin
          .createTopics(List.of(newTopic))
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      log.info(
          "Created topic {} ({} partitions, replication factor {})",
          topic,
          partitions,
          replicationFactor);
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
    awaitLeaders(config, topic);
  }

  /**
   * Waits until every partition of a new topic has a leader. Sending before that meets
   * NOT_LEADER_OR_FOLLOWER answers, which the producer retries, but which were seen to last long
   * enough on a loaded machine for a batch to time out and be published a second time.
   */
  private static void awaitLeaders(Properties config, String topic) {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(config)) {
      while (true) {
        var description =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .get(topic);
        if (description.partitions().stream().allMatch(p -> p.leader() != null)) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "topic " + topic + " has partitions without a leader after " + ADMIN_TIMEOUT);
        }
        Thread.sleep(100);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot describe topic " + topic, e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within " + ADMIN_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + topic, e);
    }
  }
}
