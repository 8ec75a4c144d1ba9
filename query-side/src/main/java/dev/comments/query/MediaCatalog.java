package dev.comments.query;

import dev.comments.events.ReadPreference;
import dev.comments.query.media.MediaView;
import java.util.Optional;

/** The media items this node has learned of from the log, for the edge's CDN. */
public interface MediaCatalog {
  /** The item, removed or not; empty if this node has not (yet) seen it uploaded. */
  Optional<MediaView> find(String tenant, String mediaId, ReadPreference readPreference);
}
