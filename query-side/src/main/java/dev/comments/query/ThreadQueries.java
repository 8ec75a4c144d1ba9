package dev.comments.query;

import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.ThreadPage;
import java.time.Duration;
import java.util.Optional;

/** The reads the edge serves from this node's projections. */
public interface ThreadQueries {
  /**
   * One page of a thread, or empty when the projection knows no such thread.
   *
   * @throws InvalidCursorException when the query's cursor was not made by this projection
   */
  Optional<ThreadPage> findComments(FindThreadComments query, ReadPreference readPreference);

  /**
   * Waits until this node's projection of {@code thread} reflects its event {@code seq}, at most
   * {@code timeout}; returns whether it does. This is how a reader sees their own write.
   */
  boolean awaitSeq(ThreadId thread, long seq, Duration timeout, ReadPreference readPreference);
}
