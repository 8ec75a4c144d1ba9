package dev.comments.command.store;

import java.util.List;
import org.axonframework.eventhandling.DomainEventMessage;

/**
 * Told of every append to the event store once it is durable, a stream's appends in seq order: a
 * journaled append in the appending thread, under the aggregate's lock; a pipelined one by the
 * thread that wrote the barrier covering it, after that barrier, in the order of the appends
 * ({@link DurableAppends}). So nothing is told that the store could still lose. Must not block.
 */
public interface AppendListener {
  /**
   * The events (one stream, ascending seqs) are stored.
   *
   * @param publishedBefore the stream's published mark when they were marked, {@code -1} if none
   */
  void appended(String stream, List<DomainEventMessage<?>> events, long publishedBefore);

  /**
   * An append of the stream failed, or the barrier that was to make it durable did: some of its
   * events may or may not be stored.
   */
  void appendFailed(String stream);
}
