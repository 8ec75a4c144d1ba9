package dev.comments.command.store;

import java.util.List;
import org.axonframework.eventhandling.DomainEventMessage;

/**
 * Told of every append to the event store, in the appending thread, while the aggregate's lock is
 * held: so a stream's appends arrive in seq order. Must not block.
 */
public interface AppendListener {
  /**
   * The events (one stream, ascending seqs) are stored.
   *
   * @param publishedBefore the stream's published mark when they were marked, {@code -1} if none
   */
  void appended(String stream, List<DomainEventMessage<?>> events, long publishedBefore);

  /** An append of the stream failed: some of its events may or may not be stored. */
  void appendFailed(String stream);
}
