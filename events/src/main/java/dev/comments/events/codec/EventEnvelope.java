package dev.comments.events.codec;

import dev.comments.events.CommentEvent;
import dev.comments.events.ThreadId;
import java.time.Instant;
import java.util.Objects;

/**
 * An event with its place in the log: the thread stream it belongs to and its sequence number there
 * (gap-free, from 0). {@code (stream, seq)} identifies the event; projections apply each once.
 */
public record EventEnvelope(
    String eventId, ThreadId stream, long seq, Instant time, CommentEvent event) {
  public EventEnvelope {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(event, "event");
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative: " + seq);
    }
    if (!stream.equals(event.threadId())) {
      throw new IllegalArgumentException(
          "event of thread " + event.threadId() + " in stream " + stream);
    }
  }
}
