package dev.comments.geodns.dns;

import dev.comments.geodns.geo.Placement;
import java.net.InetAddress;
import java.util.List;

/** What {@link NearestNodes} decided for one client and one address family. */
sealed interface Choice {
  /**
   * Addresses to answer, nearest first (possibly none: the serving nodes have no address of this
   * family, which is NODATA).
   *
   * @param failOpen no node of the deployment is serving, so these are the nearest regardless of
   *     state; answered with a short TTL
   */
  record Serve(List<InetAddress> addresses, Placement placement, boolean failOpen)
      implements Choice {}

  /** The deployment has no node at all: SERVFAIL, the one honest answer. */
  record NoNodes() implements Choice {}
}
