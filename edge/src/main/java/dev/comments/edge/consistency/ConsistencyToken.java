package dev.comments.edge.consistency;

import dev.comments.events.ThreadId;
import java.util.Objects;

/**
 * "The writer saw event {@code seq} of {@code thread}": what a reader waits for to see their own
 * write. The tenant is {@code thread.tenant()}.
 */
public record ConsistencyToken(ThreadId thread, long seq) {
  public ConsistencyToken {
    Objects.requireNonNull(thread, "thread");
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative: " + seq);
    }
  }
}
