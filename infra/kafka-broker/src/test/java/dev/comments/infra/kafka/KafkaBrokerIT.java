package dev.comments.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerIT {
  @TempDir Path dataDir;

  @Test
  void keeps_its_records_across_a_restart_on_the_same_data_directory() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start(dataDir)) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin
            .createTopics(List.of(new NewTopic("t", 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      try (var producer = producer(broker)) {
        producer.send(new ProducerRecord<>("t", "k", "before restart")).get(30, TimeUnit.SECONDS);
      }
    }

    try (KafkaBroker broker = KafkaBroker.start(dataDir)) {
      assertThat(readAll(broker)).containsExactly("before restart");
    }
  }

  @Test
  void stops_when_the_parent_closes_its_lifeline() throws Exception {
    KafkaBroker broker = KafkaBroker.start(dataDir);
    ProcessHandle child = ProcessHandle.of(broker.pid()).orElseThrow();

    broker.close();

    assertThat(child.isAlive()).isFalse();
  }

  private static KafkaProducer<String, String> producer(KafkaBroker broker) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all"),
        new StringSerializer(),
        new StringSerializer());
  }

  private static List<String> readAll(KafkaBroker broker) {
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new StringDeserializer(),
            new StringDeserializer())) {
      TopicPartition partition = new TopicPartition("t", 0);
      consumer.assign(Set.of(partition));
      consumer.seekToBeginning(Set.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      var records = new java.util.ArrayList<String>();
      while (records.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          records.add(r.value());
        }
      }
      return records;
    }
  }
}
