package dev.comments.query.thread;

import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.ThreadPage;
import java.util.Map;
import java.util.Optional;

/**
 * A thread rebuilt in memory from its events, by the very code the projection applies them with
 * ({@link ThreadProjection#plan}), without a store: how a thread is shown as it was at an instant.
 */
public final class ThreadReplay {
  private final ThreadProjection planner = ThreadProjection.planner();
  private ThreadState state;

  public ThreadReplay(ThreadId thread) {
    this.state = ThreadState.unknown(thread, true);
  }

  /** Applies the thread's next event; an event at or below the state's position is skipped. */
  public void apply(EventEnvelope envelope) {
    if (envelope.seq() > state.seq()) {
      state = planner.plan(state, envelope).after();
    }
  }

  /**
   * The page a reader without votes of their own saw, with the media its comments name as {@code
   * media} shows them now (an image a moderator removed since is left out: the CDN no longer serves
   * it); empty before the thread's first event.
   */
  public Optional<ThreadPage> page(
      FindThreadComments query, MediaShown media, ReadPreference readPreference) {
    ThreadId thread = query.threadId();
    return state.known()
        ? Optional.of(
            MongoThreadQueries.page(
                state, query, Map.of(), c -> media.of(thread, c, readPreference), 0))
        : Optional.empty();
  }
}
