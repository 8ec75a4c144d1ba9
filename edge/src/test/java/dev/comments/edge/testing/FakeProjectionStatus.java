package dev.comments.edge.testing;

import dev.comments.query.ProjectionStatus;
import java.time.Duration;

/** A projection status the test sets. */
public final class FakeProjectionStatus implements ProjectionStatus {
  public volatile boolean caughtUp = true;
  public volatile long lagEvents;
  public volatile Duration lag = Duration.ZERO;
  public volatile boolean stale;

  @Override
  public boolean caughtUp() {
    return caughtUp;
  }

  @Override
  public long lagEvents() {
    return lagEvents;
  }

  @Override
  public Duration lag() {
    return lag;
  }

  @Override
  public boolean stale() {
    return stale;
  }
}
