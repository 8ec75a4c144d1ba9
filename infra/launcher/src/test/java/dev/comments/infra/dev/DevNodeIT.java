package dev.comments.infra.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.comments.events.CommentPosted;
import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.infra.ApiClient;
import dev.comments.infra.ApiClient.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code comments dev} as a user runs it: its own process, stopped, killed and started again. */
class DevNodeIT {
  @TempDir Path work;

  @Test
  void every_comment_is_still_there_after_the_node_restarts() throws Exception {
    Path data = work.resolve("data");
    JsonNode before;
    try (DevProcess node = DevProcess.start(data, "--rate-limits", "off")) {
      ApiClient api = node.api();
      String ada = api.session("demo", "Ada");
      String bob = api.session("demo", "Bob");
      String first = created(api.post("demo", "restart", ada, "First!", null));
      created(api.post("demo", "restart", bob, "A reply", first));
      assertThat(
              api.send(
                      "POST",
                      "/api/v1/tenants/demo/comments/" + first + "/vote",
                      bob,
                      "{\"direction\":\"up\"}")
                  .status())
          .isEqualTo(200);
      Reply edit =
          api.send(
              "PATCH",
              "/api/v1/tenants/demo/comments/" + first,
              ada,
              "{\"text\":\"First, edited\"}");
      assertThat(edit.status()).isEqualTo(200);

      Reply page = api.thread("demo", "restart", "sort=oldest", edit.json().get("token").asText());
      assertThat(page.status()).isEqualTo(200);
      before = page.json().get("comments");
      assertThat(before).hasSize(1);
      assertThat(before.get(0).get("text").asText()).isEqualTo("First, edited");
      assertThat(before.get(0).path("votes").path("up").asLong()).isEqualTo(1);
      assertThat(before.get(0).get("replies")).hasSize(1);

      List<ProcessHandle> children = node.descendants();
      assertThat(children).as("the Kafka broker runs as a child process").isNotEmpty();
      node.stop();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(children).noneMatch(ProcessHandle::isAlive));
    }

    try (DevProcess node = DevProcess.start(data, "--rate-limits", "off")) {
      Reply page = node.api().thread("demo", "restart", "sort=oldest", null);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.json().get("comments")).isEqualTo(before);
    }
  }

  @Test
  void every_stored_event_reaches_kafka_in_order_when_the_node_dies_before_publishing()
      throws Exception {
    Path data = work.resolve("data");
    Map<String, List<String>> postedByThread = new LinkedHashMap<>();
    try (DevProcess node =
        DevProcess.start(data, "--comments.publisher.enabled=false", "--rate-limits", "off")) {
      ApiClient api = node.api();
      String ada = api.session("demo", "Ada");
      for (int i = 0; i < 40; i++) {
        String thread = "crash-" + (i % 4);
        List<String> posted = postedByThread.computeIfAbsent(thread, t -> new ArrayList<>());
        String parent = posted.isEmpty() || i % 3 != 0 ? null : posted.getLast();
        posted.add(created(api.post("demo", thread, ada, "comment " + i, parent)));
      }
      List<ProcessHandle> children = node.descendants();
      node.kill();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(children).noneMatch(ProcessHandle::isAlive));
    }

    try (DevProcess node = DevProcess.start(data, "--rate-limits", "off")) {
      Map<String, List<EventEnvelope>> logged = readLog(node.kafkaBootstrapServers(), 40);
      assertThat(logged.keySet())
          .containsExactlyInAnyOrderElementsOf(
              postedByThread.keySet().stream().map(t -> "demo/" + t).toList());
      postedByThread.forEach(
          (thread, posted) -> {
            List<EventEnvelope> events = logged.get("demo/" + thread);
            assertThat(events).extracting(EventEnvelope::seq).isSorted().doesNotHaveDuplicates();
            assertThat(events)
                .extracting(e -> ((CommentPosted) e.event()).commentId())
                .containsExactlyElementsOf(posted);
          });
      ApiClient api = node.api();
      for (var entry : postedByThread.entrySet()) {
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  Reply page = api.thread("demo", entry.getKey(), "sort=oldest&limit=100", null);
                  assertThat(page.status()).isEqualTo(200);
                  assertThat(allIds(page.json().get("comments")))
                      .containsExactlyInAnyOrderElementsOf(entry.getValue());
                });
      }
    }
  }

  private static String created(Reply reply) {
    assertThat(reply.status()).as("%s", reply.json()).isEqualTo(201);
    return reply.json().get("commentId").asText();
  }

  private static List<String> allIds(JsonNode comments) {
    List<String> ids = new ArrayList<>();
    for (JsonNode comment : comments) {
      ids.add(comment.get("id").asText());
      ids.addAll(allIds(comment.get("replies")));
    }
    return ids;
  }

  /** Every distinct event on the log, per stream in log order, once {@code expected} are there. */
  private static Map<String, List<EventEnvelope>> readLog(String bootstrapServers, int expected) {
    EventCodec codec = new EventCodec();
    Map<String, List<EventEnvelope>> byStream = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                // As every node reads the log: an aborted transaction's records are not events.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !consumer.partitionsFor("comments.events").isEmpty());
      List<TopicPartition> partitions =
          consumer.partitionsFor("comments.events").stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (seen.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          EventEnvelope envelope = codec.decode(record.value());
          assertThat(record.key()).isEqualTo(envelope.stream().streamId());
          if (seen.add(envelope.stream().streamId() + "#" + envelope.seq())) {
            byStream.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(envelope);
          }
        }
      }
    }
    assertThat(seen).hasSize(expected);
    return byStream;
  }
}
