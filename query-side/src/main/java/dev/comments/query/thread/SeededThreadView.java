package dev.comments.query.thread;

import dev.comments.events.CommentFlagged;
import dev.comments.events.CommentVoted;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventEnvelope;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * The thread view of one thread as the projection leaves it, for a tool that fills a stopped node's
 * store offline (the growth benchmark's seeder, {@code infra/bench/SeedStore.java}), never for a
 * running node. The events go through the projection's own {@link ThreadProjection#plan}, and the
 * documents are built by {@link ThreadViewStore}'s own code, so that what the tool writes cannot
 * drift from what the projection writes: the thread document and every comment bucket, each stamped
 * with the seq of the last event written to it.
 *
 * <p>Votes and flags, which the projection writes to collections of their own, are refused: no tool
 * needs them yet.
 */
public final class SeededThreadView {
  /** The documents of {@link ThreadViewStore#THREADS} and {@link ThreadViewStore#BUCKETS}. */
  public record Documents(Document thread, List<Document> buckets) {}

  private SeededThreadView() {}

  /**
   * The documents the projection holds once it applied {@code events}, the whole stream of one
   * thread from seq 0 in order, to a view that did not know the thread.
   */
  public static Documents of(List<EventEnvelope> events) {
    if (events.isEmpty()) {
      throw new IllegalArgumentException("no events");
    }
    ThreadId thread = events.getFirst().thread();
    // plan() only builds the writes it would make; none runs, so no store is needed.
    ThreadProjection projection = ThreadProjection.planner();
    ThreadState state = ThreadState.unknown(thread, true);
    for (EventEnvelope envelope : events) {
      if (!envelope.stream().equals(thread) || envelope.seq() != state.seq() + 1) {
        throw new IllegalArgumentException(
            "not the next event of " + thread + ": " + envelope.stream() + " " + envelope.seq());
      }
      if (envelope.event() instanceof CommentVoted || envelope.event() instanceof CommentFlagged) {
        throw new IllegalArgumentException("votes and flags are not seeded: " + envelope.event());
      }
      state = projection.plan(state, envelope).after();
    }
    List<Document> buckets = new ArrayList<>();
    for (int bucket = 0; bucket < ThreadState.bucketCount(state.comments().size()); bucket++) {
      buckets.add(ThreadViewStore.bucketDocument(state, bucket, state.bucketSeq(bucket)));
    }
    return new Documents(ThreadViewStore.threadDocument(state), List.copyOf(buckets));
  }
}
