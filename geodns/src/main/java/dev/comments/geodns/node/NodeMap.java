package dev.comments.geodns.node;

import java.util.Collection;

/**
 * The live node map: the port through which the node process (the edge, later the mesh) tells the
 * DNS server which nodes exist and which may serve. Read on every query, so it must be cheap and
 * must never block on I/O.
 */
public interface NodeMap {
  /** Every known node of every deployment, whatever its state. */
  Collection<Node> nodes();
}
