package dev.comments.edge.mesh;

import java.util.List;

/**
 * How heartbeats travel between nodes. One implementation today, {@link HttpHeartbeats} (plain HTTP
 * with the cluster key); a TLS transport with the nodes' certificates will replace it behind this
 * interface.
 */
public interface Heartbeats extends AutoCloseable {
  /** The map the heartbeats feed. */
  Mesh mesh();

  /**
   * Sends this node's heartbeat to every peer now and waits (bounded) for their answers, so that a
   * drain is known everywhere when it returns.
   */
  Told tellNow();

  /**
   * @param told the ids of the peers that took the heartbeat
   * @param unreachable the peers (their URLs) that did not
   */
  record Told(List<String> told, List<String> unreachable) {}

  @Override
  void close();
}
