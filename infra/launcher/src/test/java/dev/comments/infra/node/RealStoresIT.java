package dev.comments.infra.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.comments.edge.EdgeServer;
import dev.comments.infra.ApiClient;
import dev.comments.infra.ApiClient.Reply;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * A node on the production path: a real MongoDB replica set and a real Kafka image. Runs wherever
 * Docker runs; without a Docker engine (as on the build machines) JUnit reports it skipped, with
 * Testcontainers' reason, and the embedded default's suites cover the same paths.
 */
@Testcontainers(disabledWithoutDocker = true)
class RealStoresIT {
  @Container static final MongoDBContainer MONGO = new MongoDBContainer("mongo:8.0");
  @Container static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

  @Test
  void a_node_on_a_mongodb_replica_set_and_kafka_reads_its_own_writes() {
    Map<String, Object> properties = new HashMap<>();
    properties.put("comments.node.id", "real-1");
    properties.put("comments.http.port", 0);
    properties.put("comments.mongo.uri", MONGO.getReplicaSetUrl());
    properties.put("comments.kafka.bootstrap-servers", KAFKA.getBootstrapServers());
    properties.putAll(NodePropertiesSecretsTest.validKeys());
    properties.put("comments.tenants.demo.moderator-key", "a-moderator-key-for-tests");
    try (ConfigurableApplicationContext node = NodeApplication.run(properties)) {
      ApiClient api = new ApiClient("http://127.0.0.1:" + node.getBean(EdgeServer.class).port());
      String ada = api.session("demo", "Ada");
      Reply first = api.post("demo", "real", ada, "On a replica set", null);
      assertThat(first.status()).isEqualTo(201);
      Reply reply =
          api.post("demo", "real", ada, "And a reply", first.json().get("commentId").asText());

      Reply page = api.thread("demo", "real", "sort=top", reply.json().get("token").asText());

      assertThat(page.status()).isEqualTo(200);
      JsonNode top = page.json().get("comments").get(0);
      assertThat(top.get("text").asText()).isEqualTo("On a replica set");
      assertThat(top.get("replies").get(0).get("text").asText()).isEqualTo("And a reply");
    }
  }
}
