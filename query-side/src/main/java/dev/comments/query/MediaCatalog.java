package dev.comments.query;

import dev.comments.events.ReadPreference;
import java.util.Optional;

/** The media items this node has learned of from the log, for the edge's CDN. */
public interface MediaCatalog {
  /** A catalogue that knows no item: for edges that serve no media (tests of other features). */
  MediaCatalog NONE =
      new MediaCatalog() {
        @Override
        public Optional<MediaView> find(
            String tenant, String mediaId, ReadPreference readPreference) {
          return Optional.empty();
        }

        @Override
        public AutoCloseable onRemoved(Removals listener) {
          return () -> {};
        }

        @Override
        public long version() {
          return 0;
        }
      };

  /** The item, removed or not; empty if this node has not (yet) seen it uploaded. */
  Optional<MediaView> find(String tenant, String mediaId, ReadPreference readPreference);

  /**
   * Rises whenever what {@link #find} answers changes in a way a page already shown must reflect:
   * an item removed, or an item uploaded that was asked for while unknown. Pages that show media
   * are kept by the edge for one version; it is this node's alone (not comparable across nodes or
   * restarts).
   */
  long version();

  /**
   * Tells {@code listener} of every removal this node applies from now on, right after it is
   * applied, on the consumer thread (it must be quick). Close the handle to stop.
   */
  AutoCloseable onRemoved(Removals listener);

  /** Hears of removed items. */
  @FunctionalInterface
  interface Removals {
    void removed(String tenant, String mediaId);
  }
}
