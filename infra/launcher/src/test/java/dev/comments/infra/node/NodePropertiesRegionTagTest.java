package dev.comments.infra.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

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
    return NodePropertiesSecretsTest.bindWithDefaults(settings);
  }
}
