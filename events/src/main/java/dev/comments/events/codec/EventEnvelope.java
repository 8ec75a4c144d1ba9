package dev.comments.events.codec;

import dev.comments.events.CommentEvent;
import dev.comments.events.LoggedEvent;
import dev.comments.events.StreamId;
import dev.comments.events.ThreadId;
import java.time.Instant;
import java.util.Objects;

/**
 * An event with its place in the log: the stream it belongs to (a thread's or a tenant-scoped one)
 * and its sequence number there (gap-free, from 0). {@code (stream, seq)} identifies the event;
 * projections apply each once.
 */
public record EventEnvelope(
    String eventId, StreamId stream, long seq, Instant time, LoggedEvent event) {
  public EventEnvelope {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(event, "event");
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative: " + seq);
    }
    if (!stream.equals(event.stream())) {
      throw new IllegalArgumentException(
          "event of stream " + event.stream() + " in stream " + stream);
    }
  }

  /**
   * The thread of a thread event, for the consumers that are routed only those.
   *
   * @throws IllegalStateException if this is another stream's event
   */
  public ThreadId thread() {
    return commentEvent().threadId();
  }

  /**
   * The event of a thread, for the consumers that are routed only those.
   *
   * @throws IllegalStateException if this is another stream's event
   */
  public CommentEvent commentEvent() {
    if (event instanceof CommentEvent comment) {
      return comment;
    }
    throw new IllegalStateException("not a thread event: " + stream + " " + seq);
  }
}
