package dev.comments.edge.testing;

import dev.comments.events.ReadPreference;
import dev.comments.query.MediaCatalog;
import dev.comments.query.MediaView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A stand-in for the query side's media catalogue: items put and removed by the test. */
public final class InMemoryMediaCatalog implements MediaCatalog {
  private final Map<String, MediaView> items = new ConcurrentHashMap<>();
  private final List<Removals> listeners = new CopyOnWriteArrayList<>();

  public void put(MediaView view) {
    items.put(view.tenant() + "/" + view.mediaId(), view);
  }

  /** Marks the item removed and tells the listeners, as the projection does. */
  public void remove(String tenant, String mediaId) {
    MediaView v = items.get(tenant + "/" + mediaId);
    items.put(
        tenant + "/" + mediaId,
        new MediaView(
            tenant,
            mediaId,
            v.contentHash(),
            v.contentType(),
            v.size(),
            v.width(),
            v.height(),
            true,
            v.seq() + 1));
    listeners.forEach(l -> l.removed(tenant, mediaId));
  }

  @Override
  public Optional<MediaView> find(String tenant, String mediaId, ReadPreference readPreference) {
    return Optional.ofNullable(items.get(tenant + "/" + mediaId));
  }

  @Override
  public long version() {
    return 0;
  }

  @Override
  public AutoCloseable onRemoved(Removals listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
