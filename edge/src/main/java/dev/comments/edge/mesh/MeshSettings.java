package dev.comments.edge.mesh;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Who this node is in the mesh and whom it talks to.
 *
 * @param addresses this node's public addresses, the ones DNS hands to clients
 * @param peers the other nodes' edges ({@code http://host:port}); their ids come with their
 *     heartbeats
 * @param interval how often a heartbeat is sent to every peer
 * @param downAfter a peer silent for longer is DOWN
 * @param canaryShare 0, or the share (0..1) of its region's DNS answers this canary node takes
 */
public record MeshSettings(
    String nodeId,
    String deployment,
    String region,
    double latitude,
    double longitude,
    List<InetAddress> addresses,
    List<URI> peers,
    Duration interval,
    Duration downAfter,
    double canaryShare) {
  public MeshSettings {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(region, "region");
    addresses = List.copyOf(addresses);
    peers = List.copyOf(peers);
    if (!(canaryShare >= 0 && canaryShare <= 1)) {
      throw new IllegalArgumentException("canaryShare must be 0..1: " + canaryShare);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the heartbeat interval must be positive: " + interval);
    }
    if (downAfter.compareTo(interval) <= 0) {
      // One late heartbeat must not take a peer down.
      throw new IllegalArgumentException(
          "downAfter (" + downAfter + ") must be longer than the interval (" + interval + ")");
    }
  }
}
