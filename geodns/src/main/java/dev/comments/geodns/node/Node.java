package dev.comments.geodns.node;

import dev.comments.geodns.geo.Coordinates;
import dev.comments.geodns.geo.Site;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One node of the fleet as the live node map knows it.
 *
 * @param deployment the data-residency boundary (e.g. {@code global}, {@code eu}): a zone answers
 *     only with nodes of its own deployment
 * @param addresses public addresses, IPv4 and IPv6, in the order they should be answered
 * @param canaryShare 0 for an ordinary node; for a canary, the share (0..1) of its region's answers
 *     it takes while it and another node of its region serve
 */
public record Node(
    String id,
    String deployment,
    String region,
    Coordinates location,
    List<InetAddress> addresses,
    NodeState state,
    boolean ready,
    double canaryShare) {
  /** An ordinary node, not a canary. */
  public Node(
      String id,
      String deployment,
      String region,
      Coordinates location,
      List<InetAddress> addresses,
      NodeState state,
      boolean ready) {
    this(id, deployment, region, location, addresses, state, ready, 0);
  }

  public Node {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(state, "state");
    addresses = List.copyOf(addresses);
    if (!(canaryShare >= 0 && canaryShare <= 1)) {
      throw new IllegalArgumentException("canaryShare must be 0..1: " + canaryShare);
    }
  }

  public boolean canary() {
    return canaryShare > 0;
  }

  /** Whether clients may be sent here now. */
  public boolean serving() {
    return state == NodeState.UP && ready;
  }

  public List<InetAddress> addresses(boolean ipv6) {
    return addresses.stream()
        .filter(a -> ipv6 ? a instanceof Inet6Address : a instanceof Inet4Address)
        .toList();
  }

  public Site site() {
    return new Site(id, location);
  }

  public Node withState(NodeState newState) {
    return new Node(id, deployment, region, location, addresses, newState, ready, canaryShare);
  }

  public Node withRegion(String newRegion) {
    return new Node(id, deployment, newRegion, location, addresses, state, ready, canaryShare);
  }

  public Node withCanaryShare(double share) {
    return new Node(id, deployment, region, location, addresses, state, ready, share);
  }

  public Node withReady(boolean newReady) {
    return new Node(id, deployment, region, location, addresses, state, newReady, canaryShare);
  }
}
