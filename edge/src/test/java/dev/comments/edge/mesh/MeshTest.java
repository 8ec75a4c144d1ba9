package dev.comments.edge.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.edge.testing.MutableClock;
import dev.comments.query.ProjectionStatus;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeshTest {
  private final MutableClock clock =
      new MutableClock(java.time.Instant.parse("2026-12-01T10:00:00Z"));
  private final Projection projection = new Projection();
  private final Mesh mesh =
      new Mesh(
          new MeshSettings(
              "eu-central-1",
              "global",
              "eu-central",
              50.11,
              8.68,
              List.of(InetAddress.ofLiteral("127.0.1.2")),
              List.of(URI.create("http://127.0.1.1:8080")),
              Duration.ofSeconds(1),
              Duration.ofSeconds(5),
              0),
          projection,
          clock);

  {
    mesh.listening();
  }

  @Test
  void a_peer_is_up_while_it_sends_and_down_once_silent_for_longer_than_down_after() {
    mesh.receive(peer("us-west-1", MemberState.UP, true));
    clock.advance(Duration.ofSeconds(5));
    assertThat(member("us-west-1").state()).isEqualTo(MemberState.UP);

    clock.advance(Duration.ofMillis(1));
    assertThat(member("us-west-1").state()).isEqualTo(MemberState.DOWN);
    assertThat(member("us-west-1").serving()).isFalse();

    mesh.receive(peer("us-west-1", MemberState.UP, true));
    assertThat(member("us-west-1").serving()).isTrue();
  }

  @Test
  void a_peer_that_says_it_is_draining_or_not_ready_does_not_serve() {
    mesh.receive(peer("us-west-1", MemberState.DRAINING, true));
    mesh.receive(peer("ap-southeast-1", MemberState.UP, false));

    assertThat(member("us-west-1").serving()).isFalse();
    assertThat(member("ap-southeast-1").serving()).isFalse();
    assertThat(member("ap-southeast-1").state()).isEqualTo(MemberState.UP);
  }

  @Test
  void this_node_is_ready_only_while_its_projection_is_caught_up_and_says_its_lag() {
    assertThat(mesh.self().ready()).isTrue();

    projection.caughtUp = false;
    projection.lagMs = 31_000;

    Heartbeat self = mesh.self();
    assertThat(self.ready()).isFalse();
    assertThat(self.lagMs()).isEqualTo(31_000);
    assertThat(member("eu-central-1").serving()).isFalse();
  }

  @Test
  void this_node_is_not_ready_until_its_edge_listens_and_draining_once_it_is_stopping() {
    Mesh starting = new Mesh(mesh.settings(), projection, clock);
    assertThat(starting.self().ready()).isFalse();

    starting.listening();
    assertThat(starting.self().ready()).isTrue();

    starting.leaving();
    assertThat(starting.self().state()).isEqualTo(MemberState.DRAINING);
  }

  @Test
  void a_drained_node_says_so_in_its_heartbeat_until_it_is_undrained() {
    mesh.drain();
    assertThat(mesh.self().state()).isEqualTo(MemberState.DRAINING);
    assertThat(member("eu-central-1").serving()).isFalse();

    mesh.undrain();
    assertThat(mesh.self().state()).isEqualTo(MemberState.UP);
  }

  @Test
  void refuses_a_heartbeat_whose_address_is_a_name_since_the_dns_path_must_not_look_anything_up() {
    Heartbeat named =
        new Heartbeat(
            "us-west-1",
            "global",
            "us-west",
            45.6,
            -121.2,
            List.of("node.example.com"),
            MemberState.UP,
            true,
            0,
            0,
            0,
            1,
            1);

    assertThatThrownBy(() -> mesh.receive(named)).isInstanceOf(IllegalArgumentException.class);
    assertThat(mesh.members()).extracting(Member::id).containsExactly("eu-central-1");
  }

  @Test
  void refuses_a_heartbeat_that_claims_this_nodes_id() {
    assertThatThrownBy(() -> mesh.receive(peer("eu-central-1", MemberState.UP, true)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_heartbeat_overtaken_by_a_newer_one_of_the_same_process_is_ignored_but_a_restart_wins() {
    Heartbeat older = peer("us-west-1", MemberState.UP, true);
    Heartbeat draining = peer("us-west-1", MemberState.DRAINING, true);
    mesh.receive(draining);
    mesh.receive(older);
    assertThat(member("us-west-1").state()).isEqualTo(MemberState.DRAINING);

    Heartbeat restarted =
        new Heartbeat(
            "us-west-1",
            "global",
            "us-west-1",
            45.6,
            -121.2,
            List.of("127.0.1.9"),
            MemberState.UP,
            true,
            0,
            5,
            0,
            INCARNATION + 1,
            1);
    mesh.receive(restarted);
    assertThat(member("us-west-1").state()).isEqualTo(MemberState.UP);
  }

  @Test
  void silence_is_measured_from_arrival_on_this_nodes_clock_not_from_the_senders() {
    mesh.receive(peer("us-west-1", MemberState.UP, true));
    clock.advance(Duration.ofSeconds(3));

    assertThat(mesh.silence()).containsEntry("us-west-1", Duration.ofSeconds(3));
  }

  private Member member(String id) {
    return mesh.members().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
  }

  private static final long INCARNATION = 42;
  private static long seq;

  private static Heartbeat peer(String id, MemberState state, boolean ready) {
    return new Heartbeat(
        id,
        "global",
        id,
        45.6,
        -121.2,
        List.of("127.0.1.9"),
        state,
        ready,
        0,
        ready ? 5 : 40_000,
        0,
        INCARNATION,
        ++seq);
  }

  private static final class Projection implements ProjectionStatus {
    volatile boolean caughtUp = true;
    volatile long lagMs = 5;

    @Override
    public boolean caughtUp() {
      return caughtUp;
    }

    @Override
    public long lagEvents() {
      return 0;
    }

    @Override
    public Duration lag() {
      return Duration.ofMillis(lagMs);
    }
  }
}
