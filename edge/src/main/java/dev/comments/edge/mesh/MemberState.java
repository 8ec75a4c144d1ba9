package dev.comments.edge.mesh;

/** A member's state as this node sees it; only {@code UP} and ready members get clients. */
public enum MemberState {
  UP,
  /** Taken out of DNS by the operator: it keeps serving the connections it has. */
  DRAINING,
  /** No heartbeat for longer than the mesh's {@code downAfter}. */
  DOWN
}
