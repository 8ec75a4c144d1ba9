package dev.comments.edge.mesh;

import java.net.InetAddress;
import java.util.List;

/**
 * One node as this node's mesh sees it now: the last heartbeat it sent (or this node's own), and
 * the state that follows from it and from its silence.
 *
 * @param addresses the heartbeat's IP literals, parsed without any lookup
 * @param self whether this is the node holding the map
 */
public record Member(
    String id,
    String deployment,
    String region,
    double latitude,
    double longitude,
    List<InetAddress> addresses,
    MemberState state,
    boolean ready,
    long lagEvents,
    long lagMs,
    double canaryShare,
    boolean self) {
  public Member {
    addresses = List.copyOf(addresses);
  }

  /** Whether clients may be sent here now. */
  public boolean serving() {
    return state == MemberState.UP && ready;
  }
}
