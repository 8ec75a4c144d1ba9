package dev.comments.edge.mesh;

import dev.comments.edge.live.RemoteViewers;
import dev.comments.events.ThreadId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Readers across the deployment: this node's own, which the heartbeats' transport shares with every
 * peer, and each peer's latest, which count while the mesh sees that peer up, in this deployment,
 * and in the process (incarnation) that sent them. A peer that goes down or drains stops counting
 * at the next presence round, a restarted one counts only once its new process has told its own
 * counts, which replace the old ones, and a peer that was down is forgotten, so it tells all again.
 */
public final class MeshPresence implements RemoteViewers {
  /** A bound on what one peer can make this node hold. */
  static final int MAX_THREADS_PER_PEER = 100_000;

  private final Mesh mesh;
  private volatile Supplier<Map<ThreadId, Integer>> local = Map::of;

  /** Guarded by this: what each peer told, the threads changed since the last round. */
  private final Map<String, Held> peers = new HashMap<>();

  private final Set<ThreadId> changed = new HashSet<>();

  /** The peers (and their processes) counted in the last round. */
  private Map<String, Long> counted = Map.of();

  private record Held(long incarnation, long version, Map<ThreadId, Integer> counts) {}

  MeshPresence(Mesh mesh) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
  }

  /** Shares {@code viewers} (this node's readers per thread, only threads with any) from now on. */
  public void shareFrom(Supplier<Map<ThreadId, Integer>> viewers) {
    this.local = Objects.requireNonNull(viewers, "viewers");
  }

  Map<ThreadId, Integer> local() {
    return local.get();
  }

  /**
   * Takes a peer's share, when it builds on what this node holds of the same process.
   *
   * @return the version held now, which the peer's next share builds on; -1 for none
   * @throws IllegalArgumentException for a share no peer sends: this node's id, a bad thread id or
   *     count
   */
  public synchronized long receive(PresenceShare share) {
    if (share.node().equals(mesh.settings().nodeId())) {
      throw new IllegalArgumentException("a presence share with this node's id");
    }
    Map<ThreadId, Integer> counts = parse(share.counts());
    Held known = peers.get(share.node());
    if (share.whole()) {
      Map<ThreadId, Integer> whole = new HashMap<>();
      counts.forEach(
          (thread, count) -> {
            if (count > 0) {
              whole.put(thread, count);
            }
          });
      if (known != null) {
        changed.addAll(known.counts().keySet());
      }
      changed.addAll(whole.keySet());
      peers.put(share.node(), new Held(share.incarnation(), share.version(), whole));
      return share.version();
    }
    if (known == null || known.incarnation() != share.incarnation()) {
      return PresenceShare.WHOLE;
    }
    if (known.version() != share.base()) {
      return known.version();
    }
    Map<ThreadId, Integer> held = known.counts();
    counts.forEach(
        (thread, count) -> {
          if (count == 0) {
            held.remove(thread);
          } else if (held.size() < MAX_THREADS_PER_PEER || held.containsKey(thread)) {
            held.put(thread, count);
          }
          changed.add(thread);
        });
    peers.put(share.node(), new Held(known.incarnation(), share.version(), held));
    return share.version();
  }

  private static Map<ThreadId, Integer> parse(Map<String, Map<String, Integer>> byTenant) {
    Map<ThreadId, Integer> counts = new HashMap<>();
    byTenant.forEach(
        (tenant, threads) -> {
          if (threads == null) {
            throw new IllegalArgumentException("no threads for tenant " + tenant);
          }
          threads.forEach(
              (thread, count) -> {
                if (count == null || count < 0) {
                  throw new IllegalArgumentException("a count must be 0 or more");
                }
                if (counts.size() < MAX_THREADS_PER_PEER) {
                  counts.put(new ThreadId(tenant, thread), count);
                }
              });
        });
    return counts;
  }

  @Override
  public synchronized int viewers(ThreadId thread) {
    int viewers = 0;
    for (Map.Entry<String, Long> peer : counted.entrySet()) {
      Held held = peers.get(peer.getKey());
      // Only the process the round counted: another one's counts wait for the next round.
      if (held != null && held.incarnation() == peer.getValue()) {
        viewers += held.counts().getOrDefault(thread, 0);
      }
    }
    return viewers;
  }

  /**
   * Also settles which peers count from now on, from the mesh's view: a peer that stopped or
   * started counting changes every thread it told of.
   */
  @Override
  public synchronized Set<ThreadId> changed() {
    Map<String, Mesh.Standing> standings = mesh.standings();
    Map<String, Long> counting = new HashMap<>();
    for (Map.Entry<String, Held> peer : Map.copyOf(peers).entrySet()) {
      Mesh.Standing standing = standings.get(peer.getKey());
      Held held = peer.getValue();
      if (standing != null && standing.state() == MemberState.DOWN) {
        // Its readers are gone or will come back elsewhere; once up again it tells all anew.
        peers.remove(peer.getKey());
        changed.addAll(held.counts().keySet());
      } else if (standing != null
          && standing.state() == MemberState.UP
          && standing.sameDeployment()
          && standing.incarnation() == held.incarnation()) {
        counting.put(peer.getKey(), held.incarnation());
      }
    }
    Set<String> flipped = new HashSet<>(counted.keySet());
    flipped.addAll(counting.keySet());
    flipped.removeIf(node -> Objects.equals(counted.get(node), counting.get(node)));
    for (String node : flipped) {
      Held held = peers.get(node);
      if (held != null) {
        changed.addAll(held.counts().keySet());
      }
    }
    counted = Map.copyOf(counting);
    Set<ThreadId> round = Set.copyOf(changed);
    changed.clear();
    return round;
  }
}
