package dev.comments.edge.mesh;

import java.util.Map;
import java.util.Objects;

/**
 * A node's readers per thread, as it tells one peer: its own mesh message beside the heartbeat, so
 * that a heartbeat stays a few hundred bytes whatever the readers (docs/live.md, Presence across
 * the deployment). Either the whole set ({@code base} -1: replace what you hold of me), or the
 * threads whose count changed since the version the peer said it holds ({@code base}); a count of 0
 * takes a thread out. A share is at most {@link PresenceOutbox#MAX_SHARE_BYTES}: a larger change is
 * carried by the next beats.
 *
 * @param incarnation the sender's process, as in its heartbeats: counts of another one never count
 * @param version this share's number; the receiver answers with the version it holds after it
 * @param counts tenant to thread to readers
 */
public record PresenceShare(
    String node,
    long incarnation,
    long base,
    long version,
    Map<String, Map<String, Integer>> counts) {
  public static final long WHOLE = -1;

  public PresenceShare {
    Objects.requireNonNull(node, "node");
    counts = counts == null ? Map.of() : counts;
    if (version < 0 || base < WHOLE || base >= version) {
      throw new IllegalArgumentException("a share's version must follow its base");
    }
  }

  public boolean whole() {
    return base == WHOLE;
  }

  /** The receiver's answer: the version of the sender's counts it holds now, or -1 for none. */
  public record Held(long held) {}
}
