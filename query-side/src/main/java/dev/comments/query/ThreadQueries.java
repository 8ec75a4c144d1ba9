package dev.comments.query;

import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.FindReplies;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.RepliesPage;
import dev.comments.events.query.ThreadPage;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The reads the edge serves from this node's projections. They are answered from the node's
 * in-memory read model; {@code readPreference} is how a thread missing from memory is loaded from
 * the node's store.
 */
public interface ThreadQueries {
  /**
   * One page of a thread, or empty when the projection knows no such thread.
   *
   * @throws InvalidCursorException when the query's cursor was not made by this projection
   */
  Optional<ThreadPage> findComments(FindThreadComments query, ReadPreference readPreference);

  /**
   * More replies of one comment's tree, or empty when the projection knows no such thread or no
   * such comment in it.
   *
   * @throws InvalidCursorException when the query's cursor was not made for this comment
   */
  Optional<RepliesPage> findReplies(FindReplies query, ReadPreference readPreference);

  /**
   * The votes {@code viewerId} has cast in {@code thread}, by comment id; live readers lay them
   * over the vote messages they receive.
   */
  Map<String, VoteDirection> votesOf(
      ThreadId thread, String viewerId, ReadPreference readPreference);

  /**
   * Waits until this node's projection of {@code thread} reflects its event {@code seq}, at most
   * {@code timeout}; returns whether it does. This is how a reader sees their own write.
   */
  boolean awaitSeq(ThreadId thread, long seq, Duration timeout, ReadPreference readPreference);

  /**
   * The event of {@code thread} that this node holds in memory, without going to the store; empty
   * when the thread is not in memory or not known. The edge uses it to find a page's encoded bytes
   * on its IO thread; empty (the default) only costs that shortcut, never an answer.
   */
  default OptionalLong heldSeq(ThreadId thread) {
    return OptionalLong.empty();
  }

  /**
   * The votes {@code viewerId} has cast in {@code thread} as this node holds them in memory (as
   * {@link #votesOf} would answer), without going to the store; empty when they are not held. The
   * edge lays them over a page's encoded bytes on its IO thread; empty (the default) only costs
   * that shortcut, never an answer.
   */
  default Optional<Map<String, VoteDirection>> heldVotes(ThreadId thread, String viewerId) {
    return Optional.empty();
  }

  /**
   * The version of this node's media catalogue that pages read now would show ({@link
   * ThreadPage#mediaVersion()}): with the thread's event, what a page's encoding is kept for.
   */
  long mediaVersion();
}
