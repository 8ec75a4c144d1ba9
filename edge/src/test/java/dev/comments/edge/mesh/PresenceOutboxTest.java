package dev.comments.edge.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.edge.EdgeSettings;
import dev.comments.edge.testing.FakeProjectionStatus;
import dev.comments.edge.testing.MutableClock;
import dev.comments.events.ThreadId;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One node's outbox to a peer, and the peer's {@link MeshPresence}, with the wire between. */
class PresenceOutboxTest {
  private static final ThreadId ARTICLE = new ThreadId("demo", "article-42");
  private static final ThreadId OTHER = new ThreadId("demo", "other");
  private static final long INCARNATION = 77;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final Mesh peer =
      new Mesh(
          new MeshSettings(
              "us-west-1",
              "global",
              "us-west",
              45.6,
              -121.2,
              List.of(InetAddress.ofLiteral("127.0.1.1")),
              List.of(URI.create("http://127.0.1.2:8080")),
              Duration.ofSeconds(1),
              Duration.ofSeconds(5),
              0),
          new FakeProjectionStatus(),
          clock);
  private final PresenceOutbox outbox = new PresenceOutbox("eu-central-1", INCARNATION);
  private final Map<ThreadId, Integer> local = new HashMap<>();
  private long seq;

  {
    beat();
  }

  @Test
  void tells_the_whole_set_first_then_only_what_changed_and_zero_for_a_thread_left() {
    local.put(ARTICLE, 2);
    local.put(OTHER, 1);
    PresenceShare first = beatAndDeliver().orElseThrow();
    assertThat(first.whole()).isTrue();
    assertThat(first.counts()).isEqualTo(Map.of("demo", Map.of("article-42", 2, "other", 1)));
    assertThat(peerSees(ARTICLE)).isEqualTo(2);

    local.put(ARTICLE, 3);
    local.remove(OTHER);
    PresenceShare second = beatAndDeliver().orElseThrow();
    assertThat(second.base()).isEqualTo(first.version());
    assertThat(second.counts()).isEqualTo(Map.of("demo", Map.of("article-42", 3, "other", 0)));
    assertThat(peerSees(ARTICLE)).isEqualTo(3);
    assertThat(peerSees(OTHER)).isZero();
  }

  @Test
  void a_quiet_node_sends_nothing_but_an_empty_check_every_few_beats() {
    local.put(ARTICLE, 2);
    beatAndDeliver();
    for (int beat = 1; beat < PresenceOutbox.CHECK_EVERY_BEATS; beat++) {
      assertThat(beatAndDeliver()).as("beat %d", beat).isEmpty();
    }
    assertThat(beatAndDeliver().orElseThrow().counts()).isEmpty();
  }

  @Test
  void sends_nothing_more_while_a_share_is_unanswered() {
    local.put(ARTICLE, 2);
    assertThat(outbox.next(local)).isPresent();
    local.put(ARTICLE, 3);
    assertThat(outbox.next(local)).isEmpty();
  }

  @Test
  void after_a_share_taken_but_unanswered_it_starts_over_with_the_whole_set() {
    local.put(ARTICLE, 2);
    beatAndDeliver();
    local.put(ARTICLE, 5);
    PresenceShare lost = outbox.next(local).orElseThrow();
    peer.presence().receive(lost);
    outbox.failed(lost.version());

    local.put(ARTICLE, 2);
    // Builds on what the peer confirmed; the peer holds the lost one, so it refuses.
    PresenceShare refused = beatAndDeliver().orElseThrow();
    assertThat(refused.whole()).isFalse();
    assertThat(peerSees(ARTICLE)).isEqualTo(5);

    PresenceShare whole = beatAndDeliver().orElseThrow();
    assertThat(whole.whole()).isTrue();
    assertThat(peerSees(ARTICLE)).isEqualTo(2);
  }

  @Test
  void a_restarted_peer_is_told_the_whole_set_again() {
    local.put(ARTICLE, 2);
    beatAndDeliver();
    Mesh restarted = new Mesh(peer.settings(), new FakeProjectionStatus(), clock);
    restarted.receive(heartbeat());
    // Its heartbeat's answer names its new process: the next beat tells it all.
    outbox.peerIs(restarted.incarnation());

    PresenceShare whole = outbox.next(local).orElseThrow();
    assertThat(whole.whole()).isTrue();
    outbox.answered(whole.version(), restarted.presence().receive(whole));
    restarted.presence().changed();
    assertThat(restarted.presence().viewers(ARTICLE)).isEqualTo(2);
  }

  @Test
  void ten_thousand_threads_go_in_shares_under_the_bound_and_all_arrive_within_seven_beats()
      throws Exception {
    for (int i = 0; i < 10_000; i++) {
      local.put(new ThreadId("demo", "article-" + (100_000 + i)), 1 + i % 50);
    }
    int wholeSetBytes =
        HttpHeartbeats.JSON.writeValueAsBytes(
                new PresenceShare("eu-central-1", INCARNATION, -1, 0, wire(local)))
            .length;
    // Why a share of its own, and in parts: the whole set would pass a peer's body limit.
    assertThat(wholeSetBytes).isGreaterThan(EdgeSettings.DEFAULT_MAX_BODY_BYTES);
    int beats = 0;
    while (!peerSeesAll()) {
      PresenceShare share = outbox.next(local).orElseThrow();
      assertThat(HttpHeartbeats.JSON.writeValueAsBytes(share).length)
          .isLessThanOrEqualTo(PresenceOutbox.MAX_SHARE_BYTES);
      deliver(share);
      beats++;
    }
    assertThat(beats).isLessThanOrEqualTo(7);
    System.out.printf(
        "presence: 10,000 threads are %d bytes at once, told in %d shares of <= %d%n",
        wholeSetBytes, beats, PresenceOutbox.MAX_SHARE_BYTES);
  }

  @Test
  void a_share_of_the_longest_ids_stays_under_the_bound() throws Exception {
    String tenant = "t".repeat(63);
    for (int i = 0; i < 1_000; i++) {
      local.put(new ThreadId(tenant, String.format("%0200d", i)), 1_000_000 + i);
    }
    PresenceShare share = outbox.next(local).orElseThrow();
    assertThat(HttpHeartbeats.JSON.writeValueAsBytes(share).length)
        .isLessThanOrEqualTo(PresenceOutbox.MAX_SHARE_BYTES);
  }

  private Optional<PresenceShare> beatAndDeliver() {
    Optional<PresenceShare> share = outbox.next(local);
    share.ifPresent(this::deliver);
    return share;
  }

  /** Over the wire as JSON, as HttpHeartbeats and MeshHandlers carry it. */
  private void deliver(PresenceShare share) {
    try {
      PresenceShare received =
          HttpHeartbeats.JSON.readValue(
              HttpHeartbeats.JSON.writeValueAsBytes(share), PresenceShare.class);
      outbox.answered(share.version(), peer.presence().receive(received));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private boolean peerSeesAll() {
    peer.presence().changed();
    return local.entrySet().stream()
        .allMatch(count -> peer.presence().viewers(count.getKey()) == count.getValue());
  }

  private int peerSees(ThreadId thread) {
    peer.presence().changed();
    return peer.presence().viewers(thread);
  }

  private void beat() {
    peer.receive(heartbeat());
  }

  private Heartbeat heartbeat() {
    return new Heartbeat(
        "eu-central-1",
        "global",
        "eu-central",
        50.1,
        8.7,
        List.of("127.0.1.2"),
        MemberState.UP,
        true,
        0,
        5,
        0,
        INCARNATION,
        ++seq);
  }

  private static Map<String, Map<String, Integer>> wire(Map<ThreadId, Integer> counts) {
    Map<String, Map<String, Integer>> byTenant = new HashMap<>();
    counts.forEach(
        (thread, count) ->
            byTenant
                .computeIfAbsent(thread.tenant(), t -> new HashMap<>())
                .put(thread.thread(), count));
    return byTenant;
  }
}
