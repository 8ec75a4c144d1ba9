package dev.comments.geodns.dns;

import dev.comments.geodns.geo.GeoIndexReloader;
import dev.comments.geodns.geo.Placement;
import dev.comments.geodns.geo.Site;
import dev.comments.geodns.node.Node;
import dev.comments.geodns.node.NodeMap;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Picks the addresses to answer: walks the index's ranking for the client's location and keeps the
 * deployment's serving nodes (up, ready, not draining), up to {@code answers} addresses.
 *
 * <p>When none of the deployment's nodes is serving, it fails open: it answers the nearest nodes
 * whatever their state. Every node unhealthy at once is far more often a fault in the health data
 * (a partitioned mesh, a bad feed) than a dead fleet, and then a possibly-working address beats a
 * SERVFAIL that certainly fails; the caller shortens the TTL so the answer is soon asked again.
 * Canaries take their share of their region's answers ({@link Canaries}).
 */
public final class NearestNodes {
  private final NodeMap nodeMap;
  private final GeoIndexReloader index;
  private final int answers;

  public NearestNodes(NodeMap nodeMap, GeoIndexReloader index, int answers) {
    this.nodeMap = nodeMap;
    this.index = index;
    this.answers = answers;
  }

  Choice choose(String deployment, InetAddress client, boolean ipv6) {
    List<Node> all = List.copyOf(nodeMap.nodes());
    List<Site> sites =
        all.stream().map(Node::site).sorted(Comparator.comparing(Site::nodeId)).toList();
    Placement placement = index.current(sites).place(client);
    Map<String, Node> byId =
        all.stream()
            .collect(Collectors.toMap(Node::id, Function.identity(), (first, second) -> first));
    List<Node> ranked =
        placement.ranking().stream()
            .map(byId::get)
            .filter(n -> n != null && n.deployment().equals(deployment))
            .toList();
    if (ranked.isEmpty()) {
      return new Choice.NoNodes();
    }
    List<Node> serving = Canaries.order(ranked.stream().filter(Node::serving).toList(), client);
    boolean failOpen = serving.isEmpty();
    return new Choice.Serve(addresses(failOpen ? ranked : serving, ipv6), placement, failOpen);
  }

  private List<InetAddress> addresses(List<Node> nodes, boolean ipv6) {
    List<InetAddress> picked = new ArrayList<>();
    for (Node node : nodes) {
      for (InetAddress address : node.addresses(ipv6)) {
        if (picked.size() == answers) {
          return picked;
        }
        picked.add(address);
      }
    }
    return picked;
  }
}
