package dev.comments.geodns.node;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/** A node map held in memory: static nodes for the standalone server, and the tests' fleet. */
public final class InMemoryNodeMap implements NodeMap {
  private final Map<String, Node> nodes = new ConcurrentHashMap<>();

  /** Read on every query: copied once per change rather than once per read. */
  private volatile List<Node> snapshot = List.of();

  public InMemoryNodeMap(Collection<Node> initial) {
    initial.forEach(this::put);
  }

  public synchronized void put(Node node) {
    nodes.put(node.id(), node);
    snapshot = List.copyOf(nodes.values());
  }

  public synchronized void remove(String id) {
    nodes.remove(id);
    snapshot = List.copyOf(nodes.values());
  }

  /**
   * Changes one node in place; an unknown id is an error, since it means a typo in a test or a
   * feed.
   */
  public synchronized void update(String id, UnaryOperator<Node> change) {
    if (nodes.computeIfPresent(id, (k, node) -> change.apply(node)) == null) {
      throw new IllegalArgumentException("no node " + id);
    }
    snapshot = List.copyOf(nodes.values());
  }

  @Override
  public Collection<Node> nodes() {
    return snapshot;
  }
}
