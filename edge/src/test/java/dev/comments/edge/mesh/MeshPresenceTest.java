package dev.comments.edge.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.edge.testing.FakeProjectionStatus;
import dev.comments.edge.testing.MutableClock;
import dev.comments.events.ThreadId;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshPresenceTest {
  private static final ThreadId ARTICLE = new ThreadId("demo", "article-42");
  private static final ThreadId OTHER = new ThreadId("demo", "other");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final Mesh mesh =
      new Mesh(
          new MeshSettings(
              "eu-central-1",
              "global",
              "eu-central",
              50.11,
              8.68,
              List.of(InetAddress.ofLiteral("127.0.1.2")),
              List.of(URI.create("http://127.0.1.1:8080"), URI.create("http://127.0.1.3:8080")),
              Duration.ofSeconds(1),
              Duration.ofSeconds(5),
              0),
          new FakeProjectionStatus(),
          clock);
  private final MeshPresence presence = mesh.presence();
  private long seq;

  @Test
  void a_live_peers_counts_add_up_and_each_changed_thread_comes_once_per_round() {
    beat("us-west-1", 1, MemberState.UP);
    beat("ap-southeast-1", 7, MemberState.UP);

    assertThat(presence.receive(whole("us-west-1", 1, 0, Map.of(ARTICLE, 2)))).isZero();
    assertThat(presence.receive(whole("ap-southeast-1", 7, 0, Map.of(ARTICLE, 3, OTHER, 1))))
        .isZero();
    assertThat(presence.changed()).containsExactlyInAnyOrder(ARTICLE, OTHER);
    assertThat(presence.viewers(ARTICLE)).isEqualTo(5);
    assertThat(presence.viewers(OTHER)).isEqualTo(1);

    presence.receive(delta("us-west-1", 1, 0, 1, Map.of(ARTICLE, 4)));
    presence.receive(delta("us-west-1", 1, 1, 2, Map.of(ARTICLE, 6)));
    assertThat(presence.changed()).containsExactly(ARTICLE);
    assertThat(presence.viewers(ARTICLE)).isEqualTo(9);
    assertThat(presence.changed()).isEmpty();
  }

  @Test
  void a_peer_that_goes_down_stops_counting_at_once_and_must_tell_all_again() {
    beat("us-west-1", 1, MemberState.UP);
    presence.receive(whole("us-west-1", 1, 0, Map.of(ARTICLE, 2)));
    presence.changed();
    assertThat(presence.viewers(ARTICLE)).isEqualTo(2);

    clock.advance(Duration.ofSeconds(5).plusMillis(1));
    assertThat(presence.changed()).containsExactly(ARTICLE);
    assertThat(presence.viewers(ARTICLE)).isZero();

    beat("us-west-1", 1, MemberState.UP);
    // Forgotten while down: a change on top of what it told before is refused.
    assertThat(presence.receive(delta("us-west-1", 1, 0, 1, Map.of(ARTICLE, 3))))
        .isEqualTo(PresenceShare.WHOLE);
    assertThat(presence.changed()).isEmpty();
    assertThat(presence.viewers(ARTICLE)).isZero();
  }

  @Test
  void a_draining_peer_stops_counting_and_counts_again_once_undrained() {
    beat("us-west-1", 1, MemberState.UP);
    presence.receive(whole("us-west-1", 1, 0, Map.of(ARTICLE, 2)));
    presence.changed();

    beat("us-west-1", 1, MemberState.DRAINING);
    assertThat(presence.changed()).containsExactly(ARTICLE);
    assertThat(presence.viewers(ARTICLE)).isZero();

    beat("us-west-1", 1, MemberState.UP);
    assertThat(presence.changed()).containsExactly(ARTICLE);
    assertThat(presence.viewers(ARTICLE)).isEqualTo(2);
  }

  @Test
  void a_restarted_peers_counts_replace_its_old_ones_and_never_add_to_them() {
    beat("us-west-1", 1, MemberState.UP);
    presence.receive(whole("us-west-1", 1, 0, Map.of(ARTICLE, 2, OTHER, 4)));
    presence.changed();

    // The new process's heartbeat comes first: the old process's counts stop at once.
    beat("us-west-1", 2, MemberState.UP);
    assertThat(presence.changed()).containsExactlyInAnyOrder(ARTICLE, OTHER);
    assertThat(presence.viewers(ARTICLE)).isZero();
    // A change from the old process that arrives late does not count either.
    presence.receive(delta("us-west-1", 1, 0, 1, Map.of(ARTICLE, 9)));
    presence.changed();
    assertThat(presence.viewers(ARTICLE)).isZero();

    presence.receive(whole("us-west-1", 2, 0, Map.of(ARTICLE, 1)));
    assertThat(presence.changed()).containsExactlyInAnyOrder(ARTICLE, OTHER);
    assertThat(presence.viewers(ARTICLE)).isEqualTo(1);
    assertThat(presence.viewers(OTHER)).isZero();
  }

  @Test
  void a_change_on_another_version_than_the_one_held_is_refused_with_the_version_held() {
    beat("us-west-1", 1, MemberState.UP);
    presence.receive(whole("us-west-1", 1, 3, Map.of(ARTICLE, 2)));

    assertThat(presence.receive(delta("us-west-1", 1, 2, 4, Map.of(ARTICLE, 5)))).isEqualTo(3);
    presence.changed();
    assertThat(presence.viewers(ARTICLE)).isEqualTo(2);
  }

  @Test
  void counts_of_a_node_of_another_deployment_or_not_heard_of_do_not_count() {
    presence.receive(whole("us-west-1", 1, 0, Map.of(ARTICLE, 2)));
    mesh.receive(heartbeat("elsewhere-1", "other-deployment", 5, MemberState.UP));
    presence.receive(whole("elsewhere-1", 5, 0, Map.of(ARTICLE, 3)));

    presence.changed();
    assertThat(presence.viewers(ARTICLE)).isZero();
  }

  @Test
  void refuses_a_share_with_this_nodes_id_or_a_negative_count() {
    assertThatThrownBy(() -> presence.receive(whole("eu-central-1", 1, 0, Map.of(ARTICLE, 1))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                presence.receive(
                    new PresenceShare(
                        "us-west-1", 1, -1, 0, Map.of("demo", Map.of("article-42", -1)))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private void beat(String id, long incarnation, MemberState state) {
    mesh.receive(heartbeat(id, "global", incarnation, state));
  }

  private Heartbeat heartbeat(String id, String deployment, long incarnation, MemberState state) {
    return new Heartbeat(
        id,
        deployment,
        id,
        45.6,
        -121.2,
        List.of("127.0.1.9"),
        state,
        true,
        0,
        5,
        0,
        incarnation,
        ++seq);
  }

  private static PresenceShare whole(
      String node, long incarnation, long version, Map<ThreadId, Integer> counts) {
    return delta(node, incarnation, PresenceShare.WHOLE, version, counts);
  }

  private static PresenceShare delta(
      String node, long incarnation, long base, long version, Map<ThreadId, Integer> counts) {
    Map<String, Map<String, Integer>> wire = new java.util.HashMap<>();
    counts.forEach(
        (thread, count) ->
            wire.computeIfAbsent(thread.tenant(), t -> new java.util.HashMap<>())
                .put(thread.thread(), count));
    return new PresenceShare(node, incarnation, base, version, wire);
  }
}
