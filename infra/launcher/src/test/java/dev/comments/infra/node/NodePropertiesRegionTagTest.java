package dev.comments.infra.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class NodePropertiesRegionTagTest {

  @Test
  void the_mongo_region_tag_defaults_to_the_node_region() {
    NodeProperties properties = bind(Map.of("comments.node.region", "eu-central"));

    assertThat(properties.mongo().regionTag()).isEqualTo("eu-central");
  }

  @Test
  void a_configured_mongo_region_tag_wins_over_the_node_region() {
    NodeProperties properties =
        bind(Map.of("comments.node.region", "eu-central", "comments.mongo.region-tag", "eu-west"));

    assertThat(properties.mongo().regionTag()).isEqualTo("eu-west");
  }

  private static NodeProperties bind(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(settings);
    all.put("comments.mongo.uri", "mongodb://127.0.0.1:27017");
    all.put("comments.kafka.bootstrap-servers", "127.0.0.1:9092");
    all.putAll(NodePropertiesSecretsTest.validKeys());
    all.put("comments.tenants.demo.moderator-key", "a-long-moderator-key");
    return new Binder(new MapConfigurationPropertySource(all))
        .bind("comments", NodeProperties.class)
        .get();
  }
}
