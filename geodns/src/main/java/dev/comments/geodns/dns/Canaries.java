package dev.comments.geodns.dns;

import dev.comments.geodns.node.Node;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives each canary node its share of its region's answers. Only the region of the nearest serving
 * node is concerned: a client that would be sent there goes to a canary of that region when its
 * address falls in the canary's share, else to the region's ordinary nodes first. The split is by a
 * hash of the client's address, not by chance per query, so that one client keeps seeing the same
 * version and every server of the fleet splits alike. A canary alone in its region (no ordinary
 * node serving) takes all of it, as any node would.
 */
final class Canaries {
  private Canaries() {}

  /** The serving nodes in answer order, canaries moved to their place. */
  static List<Node> order(List<Node> serving, InetAddress client) {
    if (serving.isEmpty() || serving.stream().noneMatch(Node::canary)) {
      return serving;
    }
    String region = serving.getFirst().region();
    List<Node> canaries = new ArrayList<>();
    List<Node> ordinary = new ArrayList<>();
    List<Node> elsewhere = new ArrayList<>();
    for (Node node : serving) {
      if (!node.region().equals(region)) {
        elsewhere.add(node);
      } else if (node.canary()) {
        canaries.add(node);
      } else {
        ordinary.add(node);
      }
    }
    if (canaries.isEmpty() || ordinary.isEmpty()) {
      return serving;
    }
    double point = bucket(client);
    Node chosen = null;
    double upTo = 0;
    for (Node canary : canaries) {
      upTo += canary.canaryShare();
      if (point < upTo) {
        chosen = canary;
        break;
      }
    }
    List<Node> ordered = new ArrayList<>(serving.size());
    if (chosen != null) {
      ordered.add(chosen);
    }
    ordered.addAll(ordinary);
    for (Node canary : canaries) {
      if (canary != chosen) {
        ordered.add(canary);
      }
    }
    ordered.addAll(elsewhere);
    return ordered;
  }

  /** The client's place in [0, 1): its address's bytes, mixed so that neighbours spread evenly. */
  static double bucket(InetAddress client) {
    long h = 0x9E3779B97F4A7C15L;
    for (byte b : client.getAddress()) {
      h = (h ^ (b & 0xff)) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    h *= 0x94D049BB133111EBL;
    h ^= h >>> 29;
    return (h >>> 11) * 0x1.0p-53;
  }
}
