package dev.comments.geodns.node;

/** What the node's operator or its own health says; only {@code UP} nodes are answered. */
public enum NodeState {
  UP,
  /** Being taken out of DNS on purpose: it still serves the clients that resolved it earlier. */
  DRAINING,
  DOWN
}
