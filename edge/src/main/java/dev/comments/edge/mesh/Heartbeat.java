package dev.comments.edge.mesh;

import java.util.List;
import java.util.Objects;

/**
 * What a node tells its peers about itself, once per interval and at once when it is drained: who
 * and where it is, which public addresses clients may be sent to, whether it is up or draining, and
 * whether it is ready (its projection caught up with the log) with its lag. The wire form is this
 * record as JSON; unknown fields are ignored, so that a newer node may say more.
 *
 * @param deployment the data-residency boundary: DNS zones answer only with their own deployment
 * @param addresses IP literals (never host names: a receiver must not resolve anything)
 * @param canaryShare 0, or for a canary node the share (0..1) of its region's answers it takes
 * @param incarnation chosen at random when the node's process starts
 * @param seq raised with every heartbeat the process makes: within one incarnation, a heartbeat
 *     that arrives after a newer one (a periodic one overtaken by a drain's) is stale and ignored
 */
public record Heartbeat(
    String id,
    String deployment,
    String region,
    double latitude,
    double longitude,
    List<String> addresses,
    MemberState state,
    boolean ready,
    long lagEvents,
    long lagMs,
    double canaryShare,
    long incarnation,
    long seq) {
  public Heartbeat {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(state, "state");
    addresses = addresses == null ? List.of() : List.copyOf(addresses);
    if (state == MemberState.DOWN) {
      // DOWN is what a receiver concludes from silence; a node never says it of itself.
      throw new IllegalArgumentException("a heartbeat cannot say DOWN");
    }
    if (!(latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180)) {
      throw new IllegalArgumentException("coordinates out of range: " + latitude + "," + longitude);
    }
    if (!(canaryShare >= 0 && canaryShare <= 1)) {
      throw new IllegalArgumentException("canaryShare must be 0..1: " + canaryShare);
    }
  }
}
