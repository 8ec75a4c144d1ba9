package dev.comments.edge.mesh;

import dev.comments.events.ThreadId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What this node tells one peer of its readers, beat after beat: only the threads whose count
 * differs from what the peer said it holds, at most {@link #MAX_SHARE_BYTES} per share; the whole
 * set when the peer holds nothing of this process (it or this node restarted, it lost this node for
 * a while, or a share went astray). One share is in flight at a time.
 */
final class PresenceOutbox {
  /**
   * Half the edge's default body limit (64 KiB), under which a peer takes every internal message.
   * About 1,600 threads of typical ids ({@code "article-123456":3,} is 20 bytes), 150 of the
   * longest (200 characters): a node with 10,000 threads of readers tells a new peer all of them in
   * 7 beats.
   */
  static final int MAX_SHARE_BYTES = 32_768;

  /** A quiet node still sends an empty share this often, so that a peer's loss comes to light. */
  static final int CHECK_EVERY_BEATS = 5;

  private final String node;
  private final long incarnation;

  /** What the peer said it holds of this process, and its version; -1: nothing known. */
  private Map<ThreadId, Integer> held = new HashMap<>();

  private long heldVersion = PresenceShare.WHOLE;
  private long peerIncarnation;
  private long lastVersion = -1;
  private Sent inFlight;
  private int quietBeats;

  private record Sent(long version, boolean whole, Map<ThreadId, Integer> changes) {}

  PresenceOutbox(String node, long incarnation) {
    this.node = node;
    this.incarnation = incarnation;
  }

  /** The share to send now, or none: nothing changed, or the last one has not been answered. */
  synchronized Optional<PresenceShare> next(Map<ThreadId, Integer> local) {
    if (inFlight != null) {
      return Optional.empty();
    }
    boolean whole = heldVersion == PresenceShare.WHOLE;
    Map<ThreadId, Integer> base = whole ? Map.of() : held;
    List<Map.Entry<ThreadId, Integer>> changes = new ArrayList<>();
    local.forEach(
        (thread, count) -> {
          if (count > 0 && !count.equals(base.get(thread))) {
            changes.add(Map.entry(thread, count));
          }
        });
    base.keySet().stream()
        .filter(thread -> !local.containsKey(thread) || local.get(thread) <= 0)
        .forEach(thread -> changes.add(Map.entry(thread, 0)));
    if (changes.isEmpty() && !whole && ++quietBeats < CHECK_EVERY_BEATS) {
      return Optional.empty();
    }
    quietBeats = 0;
    Map<ThreadId, Integer> carried = withinBudget(changes, base, MAX_SHARE_BYTES - envelopeBytes());
    long version = ++lastVersion;
    inFlight = new Sent(version, whole, carried);
    return Optional.of(
        new PresenceShare(
            node, incarnation, whole ? PresenceShare.WHOLE : heldVersion, version, wire(carried)));
  }

  /**
   * The changes that fit one share: all of them when they fit, else the largest differences first,
   * so that a backlog corrects the most visible counts first.
   */
  private static Map<ThreadId, Integer> withinBudget(
      List<Map.Entry<ThreadId, Integer>> changes, Map<ThreadId, Integer> base, int budget) {
    if (bytes(changes) > budget) {
      changes.sort(
          Comparator.comparingInt(
                  (Map.Entry<ThreadId, Integer> change) ->
                      Math.abs(change.getValue() - base.getOrDefault(change.getKey(), 0)))
              .reversed());
    }
    Map<ThreadId, Integer> carried = new LinkedHashMap<>();
    Map<String, Boolean> tenants = new HashMap<>();
    int size = 0;
    for (Map.Entry<ThreadId, Integer> change : changes) {
      ThreadId thread = change.getKey();
      int more =
          entryBytes(thread, change.getValue())
              + (tenants.containsKey(thread.tenant()) ? 0 : tenantBytes(thread.tenant()));
      if (size + more > budget) {
        break;
      }
      size += more;
      tenants.put(thread.tenant(), true);
      carried.put(thread, change.getValue());
    }
    return carried;
  }

  /** The share's fields around its counts, with three numbers at their longest. */
  private int envelopeBytes() {
    return 128 + node.length();
  }

  private static int bytes(List<Map.Entry<ThreadId, Integer>> changes) {
    Map<String, Boolean> tenants = new HashMap<>();
    int size = 0;
    for (Map.Entry<ThreadId, Integer> change : changes) {
      ThreadId thread = change.getKey();
      size += entryBytes(thread, change.getValue());
      if (tenants.put(thread.tenant(), true) == null) {
        size += tenantBytes(thread.tenant());
      }
    }
    return size;
  }

  /** {@code "thread":12,} (ids need no escaping: their characters are plain ASCII). */
  private static int entryBytes(ThreadId thread, int count) {
    return thread.thread().length() + 4 + Integer.toString(count).length();
  }

  /** {@code "tenant":{},} */
  private static int tenantBytes(String tenant) {
    return tenant.length() + 6;
  }

  private static Map<String, Map<String, Integer>> wire(Map<ThreadId, Integer> counts) {
    Map<String, Map<String, Integer>> byTenant = new LinkedHashMap<>();
    counts.forEach(
        (thread, count) ->
            byTenant
                .computeIfAbsent(thread.tenant(), t -> new LinkedHashMap<>())
                .put(thread.thread(), count));
    return byTenant;
  }

  /**
   * The peer's process, from its heartbeat: a new one holds nothing of this node, so it is told the
   * whole set at the next beat rather than at the next check.
   */
  synchronized void peerIs(long incarnation) {
    if (incarnation != peerIncarnation) {
      peerIncarnation = incarnation;
      held = new HashMap<>();
      heldVersion = PresenceShare.WHOLE;
    }
  }

  /** The peer answered the share in flight with the version it holds now. */
  synchronized void answered(long version, long peerHolds) {
    Sent sent = inFlight;
    if (sent == null || sent.version() != version) {
      return;
    }
    inFlight = null;
    if (peerHolds != sent.version()) {
      // It holds something else (it lost this node, or took a share that went astray): start over.
      held = new HashMap<>();
      heldVersion = PresenceShare.WHOLE;
      return;
    }
    if (sent.whole()) {
      held = new HashMap<>();
    }
    sent.changes()
        .forEach(
            (thread, count) -> {
              if (count == 0) {
                held.remove(thread);
              } else {
                held.put(thread, count);
              }
            });
    heldVersion = sent.version();
  }

  /**
   * The share in flight went unanswered. The peer may have taken it: the next share builds on what
   * it confirmed before, which it refuses if so, and this starts over then. It goes at the next
   * beat even if nothing changed, since a peer that lost this node for a while forgets what it
   * held.
   */
  synchronized void failed(long version) {
    if (inFlight != null && inFlight.version() == version) {
      inFlight = null;
      quietBeats = CHECK_EVERY_BEATS;
    }
  }
}
