package dev.comments.command.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.comments.command.CommandSide;
import dev.comments.command.CommandSideSettings;
import dev.comments.events.Author;
import dev.comments.events.ThreadId;
import dev.comments.infra.kafka.KafkaBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The log is as durable as its topic says (read back from a real broker), and an event stored while
 * the broker cannot acknowledge it reaches the log once, when it can.
 */
class LogDurabilityIT {
  private static KafkaBroker broker;
  private static Admin admin;

  @BeforeAll
  static void startBroker() throws Exception {
    Path dir = Files.createTempDirectory("log-durability-it-kafka");
    broker = KafkaBroker.start(dir);
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    admin = Admin.create(config);
  }

  @AfterAll
  static void stopBroker() {
    if (admin != null) {
      admin.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void a_topic_created_for_three_copies_demands_two_in_sync_and_a_single_copy_one() {
    assertThat(new KafkaSetup.Topic("k:9092", "t", 12, (short) 3).minInsyncReplicas()).isEqualTo(2);
    assertThat(new KafkaSetup.Topic("k:9092", "t", 12, (short) 1).minInsyncReplicas()).isEqualTo(1);
    assertThat(new KafkaSetup.Durability(3, 2).survivesBrokerLoss()).isTrue();
    assertThat(new KafkaSetup.Durability(3, 1).survivesBrokerLoss()).isFalse();
    assertThat(new KafkaSetup.Durability(1, 1).survivesBrokerLoss()).isFalse();
  }

  @Test
  void the_dev_topic_is_read_back_from_the_broker_as_one_copy() throws Exception {
    KafkaSetup.ensureTopic(
        new KafkaSetup.Topic(broker.bootstrapServers(), "one-copy", 2, (short) 1));

    assertThat(KafkaSetup.durability(admin, "one-copy")).isEqualTo(new KafkaSetup.Durability(1, 1));
  }

  @Test
  void an_event_stored_while_the_broker_cannot_acknowledge_is_published_once_when_it_can()
      throws Exception {
    String topic = "frozen-broker";
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    MongoServer mongoServer = new MongoServer(new MemoryBackend());
    mongoServer.bind("127.0.0.1", 0);
    try (MongoClient mongo =
            MongoClients.create("mongodb://127.0.0.1:" + mongoServer.getLocalAddress().getPort());
        CommandSide side =
            CommandSide.start(
                CommandSideSettings.defaults("comments", broker.bootstrapServers())
                    .withTopic(topic),
                mongo,
                meters,
                Clock.systemUTC())) {
      ThreadId thread = new ThreadId("demo", "durable");
      Author ann = Author.anonymous("s-ann", "Ann");
      side.commands().post(thread, null, ann, "Before");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> admin.listTopics().names().get().contains(topic));
      try (KafkaConsumer<String, byte[]> consumer = consumer(topic)) {
        List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> poll(consumer, seen).size() == 1);

        signal("STOP");
        try {
          side.commands().post(thread, null, ann, "While frozen");
          // Stored, sent, and waiting for an acknowledgement that cannot come yet.
          await()
              .atMost(Duration.ofSeconds(20))
              .until(() -> meters.get("comments.publisher.lag.seconds").gauge().value() >= 1);
        } finally {
          signal("CONT");
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> poll(consumer, seen).size() >= 2);
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(10))
            .until(() -> poll(consumer, seen).size() == 2);
        assertThat(seen).extracting(ConsumerRecord::key).containsOnly("demo/durable");
      }
    } finally {
      mongoServer.shutdownNow();
    }
  }

  private static void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(broker.pid())).start();
    assertThat(kill.waitFor()).isZero();
  }

  private static List<ConsumerRecord<String, byte[]>> poll(
      KafkaConsumer<String, byte[]> consumer, Collection<ConsumerRecord<String, byte[]>> seen) {
    consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
    return List.copyOf(seen);
  }

  private static KafkaConsumer<String, byte[]> consumer(String topic) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }
}
