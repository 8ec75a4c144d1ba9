package dev.comments.query.projection;

import static dev.comments.events.ReadPreference.PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoDatabase;
import dev.comments.query.TestMongo;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DatabaseOwnerTest {
  @RegisterExtension static final TestMongo mongo = new TestMongo();

  private final MongoDatabase database = mongo.freshDatabase();
  private final DatabaseOwner owner = new DatabaseOwner(database, Stores.UNTAGGED);

  @Test
  void the_first_node_claims_the_database_and_may_start_on_it_again() {
    owner.claim("node-a", Clock.systemUTC(), PRIMARY);
    owner.claim("node-a", Clock.systemUTC(), PRIMARY);

    assertThat(owner.ownerOf(PRIMARY)).isEqualTo("node-a");
  }

  @Test
  void refuses_a_second_node_pointed_at_the_same_database() {
    owner.claim("node-a", Clock.systemUTC(), PRIMARY);

    assertThatThrownBy(() -> owner.claim("node-b", Clock.systemUTC(), PRIMARY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("belongs to node node-a, not to node-b")
        .hasMessageContaining("comments.mongo.query-database");
    assertThat(owner.ownerOf(PRIMARY)).isEqualTo("node-a");
  }
}
