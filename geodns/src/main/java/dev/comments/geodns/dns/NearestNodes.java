package dev.comments.geodns.dns;

import dev.comments.geodns.geo.GeoIndex;
import dev.comments.geodns.geo.GeoIndexReloader;
import dev.comments.geodns.geo.Placement;
import dev.comments.geodns.geo.Site;
import dev.comments.geodns.node.Node;
import dev.comments.geodns.node.NodeMap;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the addresses to answer: walks the index's ranking for the client's location and keeps the
 * deployment's serving nodes (up, ready, not draining), up to {@code answers} addresses.
 *
 * <p>When none of the deployment's nodes is serving, it fails open: it answers the nearest nodes
 * whatever their state. Every node unhealthy at once is far more often a fault in the health data
 * (a partitioned mesh, a bad feed) than a dead fleet, and then a possibly-working address beats a
 * SERVFAIL that certainly fails; the caller shortens the TTL so the answer is soon asked again.
 * Canaries take their share of their region's answers ({@link Canaries}).
 *
 * <p>The node map is read on every query, so a drain leaves the answers at once; what follows from
 * one state of the map (the sites, and per ranking the nodes to answer) is kept until the map or
 * the index changes, since a profile under load showed rebuilding it per query to be most of a
 * query's cost.
 */
public final class NearestNodes {
  private final NodeMap nodeMap;
  private final GeoIndexReloader index;
  private final int answers;
  private volatile Snapshot snapshot;

  public NearestNodes(NodeMap nodeMap, GeoIndexReloader index, int answers) {
    this.nodeMap = nodeMap;
    this.index = index;
    this.answers = answers;
  }

  Choice choose(String deployment, InetAddress client, boolean ipv6) {
    Snapshot now = snapshot(nodeMap.nodes());
    Placement placement = now.index.place(client);
    Ranked ranked = now.ranked(placement.ranking(), deployment, ipv6);
    if (ranked == null) {
      return new Choice.NoNodes();
    }
    List<InetAddress> addresses =
        ranked.canaries
            ? addresses(Canaries.order(ranked.serving, client), ipv6)
            : ranked.addresses;
    return new Choice.Serve(addresses, placement, ranked.failOpen);
  }

  private Snapshot snapshot(Collection<Node> nodes) {
    Snapshot last = snapshot;
    GeoIndex current = index.current();
    if (last != null && last.builtFrom == current && last.nodes.equals(nodes)) {
      return last;
    }
    List<Node> all = List.copyOf(nodes);
    List<Site> sites =
        all.stream().map(Node::site).sorted(Comparator.comparing(Site::nodeId)).toList();
    GeoIndex ranked = index.current(sites);
    // Compared by identity next time: current(sites) may have swapped in a re-ranked index.
    Snapshot fresh = new Snapshot(all, index.current(), ranked);
    snapshot = fresh;
    return fresh;
  }

  private List<InetAddress> addresses(List<Node> nodes, boolean ipv6) {
    List<InetAddress> picked = new ArrayList<>();
    for (Node node : nodes) {
      for (InetAddress address : node.addresses(ipv6)) {
        if (picked.size() == answers) {
          return List.copyOf(picked);
        }
        picked.add(address);
      }
    }
    return List.copyOf(picked);
  }

  /** One state of the node map and the index ranked over its sites. */
  private final class Snapshot {
    private final List<Node> nodes;
    private final GeoIndex builtFrom;
    private final GeoIndex index;
    private final Map<String, Node> byId = new HashMap<>();
    private final Map<Key, Ranked> ranked = new ConcurrentHashMap<>();

    Snapshot(List<Node> nodes, GeoIndex builtFrom, GeoIndex index) {
      this.nodes = nodes;
      this.builtFrom = builtFrom;
      this.index = index;
      for (Node node : nodes) {
        byId.putIfAbsent(node.id(), node);
      }
    }

    /** Null when the deployment has no node at all. */
    Ranked ranked(List<String> ranking, String deployment, boolean ipv6) {
      Key key = new Key(ranking, deployment, ipv6);
      Ranked found = ranked.get(key);
      if (found == null) {
        found = rank(ranking, deployment, ipv6);
        ranked.put(key, found);
      }
      return found == Ranked.NONE ? null : found;
    }

    private Ranked rank(List<String> ranking, String deployment, boolean ipv6) {
      List<Node> deploymentNodes =
          ranking.stream()
              .map(byId::get)
              .filter(n -> n != null && n.deployment().equals(deployment))
              .toList();
      if (deploymentNodes.isEmpty()) {
        return Ranked.NONE;
      }
      List<Node> serving = deploymentNodes.stream().filter(Node::serving).toList();
      boolean failOpen = serving.isEmpty();
      boolean canaries = !failOpen && serving.stream().anyMatch(Node::canary);
      return new Ranked(
          serving, addresses(failOpen ? deploymentNodes : serving, ipv6), failOpen, canaries);
    }
  }

  /**
   * A ranking by identity: the index shares one list per distinct ranking and a snapshot lives no
   * longer than its index, so an equal list of another instance cannot occur here. Hashing the
   * list's ids and comparing them element by element was a tenth of the query path's samples.
   */
  private static final class Key {
    private final List<String> ranking;
    private final String deployment;
    private final boolean ipv6;
    private final int hash;

    Key(List<String> ranking, String deployment, boolean ipv6) {
      this.ranking = ranking;
      this.deployment = deployment;
      this.ipv6 = ipv6;
      this.hash =
          (System.identityHashCode(ranking) * 31 + deployment.hashCode()) * 2 + (ipv6 ? 1 : 0);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key key
          && key.ranking == ranking
          && key.ipv6 == ipv6
          && key.deployment.equals(deployment);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * The deployment's nodes for one ranking: the serving ones in order, and the addresses to answer
   * unless canaries reorder them per client.
   */
  private record Ranked(
      List<Node> serving, List<InetAddress> addresses, boolean failOpen, boolean canaries) {
    static final Ranked NONE = new Ranked(List.of(), List.of(), false, false);
  }
}
