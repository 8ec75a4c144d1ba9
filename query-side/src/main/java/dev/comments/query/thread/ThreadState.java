package dev.comments.query.thread;

import dev.comments.events.ThreadId;
import dev.comments.events.query.SortOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One thread of the read model at one event: immutable, so readers share it without locks while the
 * projection builds the next one.
 *
 * <p>Comments are held in the order they were posted, which is also how the store keeps them: the
 * comment at position {@code i} lives in bucket {@code i / BUCKET_SIZE}. Each bucket remembers the
 * {@code seq} of the last event written to it, so that an event re-applied after a crash skips the
 * buckets it had already written.
 *
 * <p>{@code seq} is the last event applied, {@code -1} for a thread the store does not know. {@code
 * exact} says whether this copy is the store's primary state (loaded from it, or written through to
 * it by the projection), so that the projection may build on it.
 */
final class ThreadState {
  static final int BUCKET_SIZE = 100;

  private final ThreadId id;
  private final long seq;
  private final boolean locked;
  private final Instant lastEventAt;
  private final List<StoredComment> comments;
  private final long[] bucketSeqs;
  private final boolean exact;
  private final Derived derived = new Derived();

  ThreadState(
      ThreadId id,
      long seq,
      boolean locked,
      Instant lastEventAt,
      List<StoredComment> comments,
      long[] bucketSeqs,
      boolean exact) {
    this.id = id;
    this.seq = seq;
    this.locked = locked;
    this.lastEventAt = lastEventAt;
    this.comments = List.copyOf(comments);
    this.bucketSeqs = bucketSeqs.clone();
    this.exact = exact;
  }

  ThreadId id() {
    return id;
  }

  long seq() {
    return seq;
  }

  boolean locked() {
    return locked;
  }

  Instant lastEventAt() {
    return lastEventAt;
  }

  List<StoredComment> comments() {
    return comments;
  }

  boolean exact() {
    return exact;
  }

  /** A thread no event has reached yet. */
  static ThreadState unknown(ThreadId id, boolean exact) {
    return new ThreadState(id, -1, false, null, List.of(), new long[0], exact);
  }

  boolean known() {
    return seq >= 0;
  }

  /** The position of a comment, or -1. */
  int positionOf(String commentId) {
    Integer position = derived.positions(this).get(commentId);
    return position == null ? -1 : position;
  }

  long bucketSeq(int bucket) {
    return bucket < bucketSeqs.length ? bucketSeqs[bucket] : -1;
  }

  /** The same thread after one event: comments replaced or appended, buckets stamped with seq. */
  ThreadState next(
      long newSeq,
      boolean newLocked,
      Instant at,
      List<StoredComment> newComments,
      List<Integer> touchedBuckets) {
    long[] seqs =
        Arrays.copyOf(bucketSeqs, Math.max(bucketSeqs.length, bucketCount(newComments.size())));
    for (int bucket = bucketSeqs.length; bucket < seqs.length; bucket++) {
      seqs[bucket] = -1;
    }
    for (int bucket : touchedBuckets) {
      seqs[bucket] = newSeq;
    }
    return new ThreadState(id, newSeq, newLocked, at, newComments, seqs, true);
  }

  /** A rough count of the heap bytes it holds, for the read model's bound. */
  long weight() {
    long weight = 256 + 8L * bucketSeqs.length;
    for (StoredComment comment : comments) {
      weight += comment.weight() + 48; // the derived indexes' share
    }
    return weight;
  }

  static int bucketCount(int comments) {
    return (comments + BUCKET_SIZE - 1) / BUCKET_SIZE;
  }

  /** The pinned top-level comments, oldest first: they open a thread's first page. */
  List<StoredComment> pinned() {
    return derived.pinned(this);
  }

  /** The listed top-level comments in a sort, pinned ones apart, as pages walk them. */
  List<StoredComment> topLevel(SortOrder sort) {
    return derived.topLevel(this, sort);
  }

  /** The positions of every reply under a comment (its whole tree below it), oldest first. */
  List<Integer> repliesUnder(String commentId) {
    return derived.repliesUnder(this, commentId);
  }

  /** The order of each sort; the trailing id breaks ties, as the page cursors do. */
  static Comparator<StoredComment> order(SortOrder sort) {
    Comparator<StoredComment> byTime =
        Comparator.comparing(StoredComment::postedAt).thenComparing(StoredComment::id);
    return switch (sort) {
      case OLDEST -> byTime;
      case NEWEST -> byTime.reversed();
      case TOP -> Comparator.comparingLong(StoredComment::score).thenComparing(byTime).reversed();
    };
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ThreadState that
        && id.equals(that.id)
        && seq == that.seq
        && locked == that.locked
        && Objects.equals(lastEventAt, that.lastEventAt)
        && comments.equals(that.comments)
        && Arrays.equals(bucketSeqs, that.bucketSeqs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, seq, comments);
  }

  @Override
  public String toString() {
    return "ThreadState[" + id + " seq " + seq + ", " + comments.size() + " comments]";
  }

  /**
   * Indexes derived from a state on first use and kept with it: every reader of the same state
   * shares them. Races only compute the same thing twice.
   */
  static final class Derived {
    private volatile Map<String, Integer> positions;
    private volatile Map<String, List<Integer>> children;
    private volatile List<StoredComment> pinned;
    private final Map<SortOrder, List<StoredComment>> topLevel =
        Collections.synchronizedMap(new EnumMap<>(SortOrder.class));
    private final Map<String, List<Integer>> replies = new ConcurrentHashMap<>();

    Map<String, Integer> positions(ThreadState state) {
      Map<String, Integer> result = positions;
      if (result == null) {
        result = new HashMap<>();
        for (int i = 0; i < state.comments.size(); i++) {
          result.put(state.comments.get(i).id(), i);
        }
        positions = result;
      }
      return result;
    }

    List<StoredComment> topLevel(ThreadState state, SortOrder sort) {
      return topLevel.computeIfAbsent(
          sort,
          s ->
              state.comments.stream()
                  .filter(c -> c.isTopLevel() && c.listed() && !c.pinned())
                  .sorted(order(s))
                  .toList());
    }

    List<StoredComment> pinned(ThreadState state) {
      List<StoredComment> result = pinned;
      if (result == null) {
        result =
            state.comments.stream()
                .filter(c -> c.isTopLevel() && c.pinned())
                .sorted(order(SortOrder.OLDEST))
                .toList();
        pinned = result;
      }
      return result;
    }

    List<Integer> repliesUnder(ThreadState state, String commentId) {
      return replies.computeIfAbsent(commentId, c -> collectReplies(state, c));
    }

    private List<Integer> collectReplies(ThreadState state, String commentId) {
      Map<String, List<Integer>> byParent = children(state);
      List<Integer> found = new ArrayList<>();
      List<String> open = new ArrayList<>(List.of(commentId));
      while (!open.isEmpty()) {
        for (int position : byParent.getOrDefault(open.removeLast(), List.of())) {
          found.add(position);
          open.add(state.comments.get(position).id());
        }
      }
      Collections.sort(found);
      return List.copyOf(found);
    }

    private Map<String, List<Integer>> children(ThreadState state) {
      Map<String, List<Integer>> result = children;
      if (result == null) {
        result = new HashMap<>();
        for (int i = 0; i < state.comments.size(); i++) {
          String parent = state.comments.get(i).parentId();
          // A reply readers do not see is left out, and with it everything under it.
          if (parent != null && state.comments.get(i).listed()) {
            result.computeIfAbsent(parent, p -> new ArrayList<>()).add(i);
          }
        }
        children = result;
      }
      return result;
    }
  }
}
