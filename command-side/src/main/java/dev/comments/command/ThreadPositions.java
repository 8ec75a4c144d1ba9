package dev.comments.command;

import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import java.util.OptionalLong;

/**
 * Where a thread's event stream stands: the sequence number of its last stored event. A reader that
 * must see every acknowledged write (read preference {@code primary}) asks this before trusting a
 * projection, and waits until the projection holds that event.
 */
public interface ThreadPositions {
  /**
   * @return the seq of the thread's last stored event; empty when the thread has no event yet
   */
  OptionalLong lastSeq(ThreadId thread, ReadPreference readPreference);
}
