package dev.comments.edge;

import dev.comments.edge.security.KeyRing;
import java.util.Objects;

/**
 * The edge's keys, one ring per purpose, so that a leaked or rotated key of one purpose touches
 * nothing else. Every node of a deployment needs the same rings.
 *
 * @param sessions signs session tokens (JWS {@code kid})
 * @param consistency signs consistency tokens (their {@code kid} prefix)
 * @param cluster the key nodes show each other on internal routes ({@code X-Cluster-Key})
 */
public record EdgeKeys(KeyRing sessions, KeyRing consistency, KeyRing cluster) {
  public EdgeKeys {
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(consistency, "consistency");
    Objects.requireNonNull(cluster, "cluster");
  }
}
