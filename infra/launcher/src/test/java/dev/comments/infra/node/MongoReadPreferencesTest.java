package dev.comments.infra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.Tag;
import com.mongodb.TagSet;
import com.mongodb.TaggableReadPreference;
import dev.comments.events.ReadPreference;
import java.util.List;
import org.junit.jupiter.api.Test;

class MongoReadPreferencesTest {
  private final MongoReadPreferences mapping = new MongoReadPreferences("eu-central");

  @Test
  void primary_reads_the_primary_without_tags() {
    assertThat(mapping.apply(ReadPreference.PRIMARY))
        .isEqualTo(com.mongodb.ReadPreference.primary());
  }

  @Test
  void nearest_prefers_members_of_the_node_region_then_falls_back_to_any_member() {
    com.mongodb.ReadPreference nearest = mapping.apply(ReadPreference.NEAREST);

    assertThat(nearest.getName()).isEqualTo("nearest");
    assertThat(((TaggableReadPreference) nearest).getTagSetList())
        .containsExactly(new TagSet(new Tag("region", "eu-central")), new TagSet());
    assertThat(nearest)
        .isEqualTo(
            com.mongodb.ReadPreference.nearest(
                List.of(new TagSet(new Tag("region", "eu-central")), new TagSet())));
  }

  @Test
  void nearest_of_another_region_names_that_region() {
    com.mongodb.ReadPreference nearest =
        new MongoReadPreferences("ap-southeast").apply(ReadPreference.NEAREST);

    assertThat(((TaggableReadPreference) nearest).getTagSetList().getFirst())
        .isEqualTo(new TagSet(new Tag("region", "ap-southeast")));
  }

  @Test
  void refuses_a_blank_region() {
    assertThatThrownBy(() -> new MongoReadPreferences(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
