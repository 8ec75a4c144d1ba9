package dev.comments.edge.live;

import dev.comments.events.ThreadId;
import java.util.Set;

/**
 * Readers of threads on the deployment's other live nodes, as this node last heard of them; their
 * sum with this node's own readers is the {@code viewers} of every {@code presence} message.
 */
public interface RemoteViewers {
  /** Readers of {@code thread} on the other nodes that count now (up, not draining). */
  int viewers(ThreadId thread);

  /**
   * The threads whose remote count may have changed since the last call, each once however often it
   * changed: asked once per presence round, which is what debounces the peers' changes.
   */
  Set<ThreadId> changed();

  /** A node alone: no other node's readers. */
  RemoteViewers NONE =
      new RemoteViewers() {
        @Override
        public int viewers(ThreadId thread) {
          return 0;
        }

        @Override
        public Set<ThreadId> changed() {
          return Set.of();
        }
      };
}
