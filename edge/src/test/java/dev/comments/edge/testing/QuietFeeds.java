package dev.comments.edge.testing;

import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.query.ThreadFeeds;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/** Feeds of threads that never change: for edge tests that do not follow threads live. */
public final class QuietFeeds implements ThreadFeeds {
  @Override
  public Subscription subscribe(
      ThreadId thread,
      OptionalLong since,
      ReadPreference readPreference,
      Executor deliverOn,
      Subscriber subscriber) {
    return new Subscription(BEFORE_FIRST, false, () -> {});
  }
}
