package dev.comments.query;

import static org.awaitility.Awaitility.await;

import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.infra.kafka.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker (KRaft, one node) in a directory of its own, and an idempotent producer that
 * writes events to it as the command side's publisher would: keyed by stream, encoded by {@link
 * EventCodec}. A test class shares one, registered as {@code @RegisterExtension static final
 * TestLog log = new TestLog();}, which stops it and deletes its directory after the class's last
 * test; each test writes to a topic of its own.
 */
public final class TestLog implements AfterAllCallback {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final EventCodec codec = new EventCodec();
  private final Path dir;
  private final KafkaBroker broker;
  private final KafkaProducer<String, byte[]> producer;

  public TestLog() {
    try {
      dir = Files.createTempDirectory("test-log");
      broker = KafkaBroker.start(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test's Kafka broker", e);
    }
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /**
   * Creates {@code topic} and waits until every partition's leader answers for its log: on a loaded
   * machine a just-created partition can refuse the idempotent producer for a while.
   */
  public void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      await()
          .atMost(PATIENCE)
          .ignoreExceptions()
          .until(
              () -> admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).size() == partitions);
    }
  }

  /** Writes the events in order and returns once every one is acknowledged. */
  public void send(String topic, List<EventEnvelope> envelopes) throws Exception {
    List<Future<RecordMetadata>> sent = new ArrayList<>(envelopes.size());
    for (EventEnvelope envelope : envelopes) {
      sent.add(
          producer.send(
              new ProducerRecord<>(topic, envelope.stream().streamId(), codec.encode(envelope))));
    }
    for (Future<RecordMetadata> acknowledged : sent) {
      acknowledged.get(30, TimeUnit.SECONDS);
    }
  }

  /** Writes a record that is no event, under {@code key}, and waits for its acknowledgement. */
  public void sendGarbage(String topic, String key)
      throws InterruptedException, ExecutionException, TimeoutException {
    producer
        .send(new ProducerRecord<>(topic, key, "{not an event".getBytes(StandardCharsets.UTF_8)))
        .get(30, TimeUnit.SECONDS);
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    producer.close();
    broker.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }
}
