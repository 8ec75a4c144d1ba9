package dev.comments.query.media;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.comments.events.LoggedEvent;
import dev.comments.events.MediaEvent;
import dev.comments.events.MediaRemoved;
import dev.comments.events.MediaUploaded;
import dev.comments.events.ReadPreference;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.MediaCatalog;
import dev.comments.query.MediaView;
import dev.comments.query.projection.Projection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every node's catalogue of media items, fed by the log: it is how a replica learns that an id
 * exists (and may be fetched from the origin) and that moderation removed it. Idempotent by the
 * item's stream seq. The items asked for are kept in memory (Caffeine, by count) so that a CDN hit
 * costs no store round trip; the projection writes through, so memory never runs ahead of the store
 * for long, and a failed write drops the entry.
 */
public final class MediaProjection implements Projection, MediaCatalog {
  private static final Logger log = LoggerFactory.getLogger(MediaProjection.class);
  private static final long KEPT_ITEMS = 100_000;

  private final MediaStore store;
  private final List<Removals> removals = new CopyOnWriteArrayList<>();
  private final Cache<String, MediaView> known =
      Caffeine.newBuilder().maximumSize(KEPT_ITEMS).build();

  /** Items asked for while this node knew nothing of them: their upload changes pages. */
  private final Cache<String, Boolean> missed =
      Caffeine.newBuilder().maximumSize(KEPT_ITEMS).build();

  private final AtomicLong version = new AtomicLong();

  public MediaProjection(MediaStore store) {
    this.store = store;
  }

  @Override
  public boolean follows(LoggedEvent event) {
    return event instanceof MediaEvent;
  }

  @Override
  public Outcome apply(EventEnvelope envelope) {
    if (!(envelope.event() instanceof MediaEvent event)) {
      throw new IllegalArgumentException("not a media event: " + envelope.stream());
    }
    String key = key(event.tenant(), event.mediaId());
    try {
      Optional<MediaView> before =
          store.find(event.tenant(), event.mediaId(), ReadPreference.PRIMARY);
      long beforeSeq = before.map(MediaView::seq).orElse(-1L);
      if (envelope.seq() <= beforeSeq) {
        return Outcome.DUPLICATE;
      }
      MediaView after =
          switch (event) {
            case MediaUploaded up ->
                new MediaView(
                    up.tenant(),
                    up.mediaId(),
                    up.contentHash(),
                    up.contentType(),
                    up.size(),
                    up.width(),
                    up.height(),
                    before.map(MediaView::removed).orElse(false),
                    envelope.seq());
            case MediaRemoved removed ->
                before
                    .map(
                        v ->
                            new MediaView(
                                v.tenant(),
                                v.mediaId(),
                                v.contentHash(),
                                v.contentType(),
                                v.size(),
                                v.width(),
                                v.height(),
                                true,
                                envelope.seq()))
                    .orElseGet(
                        () ->
                            new MediaView(
                                removed.tenant(),
                                removed.mediaId(),
                                "",
                                "",
                                0,
                                0,
                                0,
                                true,
                                envelope.seq()));
          };
      store.put(after);
      known.put(key, after);
      // After the item is in memory: a page read at the new version sees it as it now is.
      if (event instanceof MediaRemoved || missed.asMap().remove(key) != null) {
        version.incrementAndGet();
      }
      if (event instanceof MediaRemoved) {
        for (Removals listener : removals) {
          try {
            listener.removed(event.tenant(), event.mediaId());
          } catch (RuntimeException e) {
            // A broken listener must not stop the projection, which every reader needs.
            log.warn("removal listener {} failed on {}", listener, envelope.stream(), e);
          }
        }
      }
      return envelope.seq() == beforeSeq + 1 ? Outcome.APPLIED : Outcome.APPLIED_AFTER_GAP;
    } catch (RuntimeException e) {
      known.invalidate(key);
      throw e;
    }
  }

  @Override
  public Optional<MediaView> find(String tenant, String mediaId, ReadPreference readPreference) {
    // Loaded atomically per key, so the projection's put of a newer view waits for this load
    // rather than being overwritten by it; an absent item is not remembered (null is not cached).
    String key = key(tenant, mediaId);
    MediaView view = known.get(key, k -> store.find(tenant, mediaId, readPreference).orElse(null));
    if (view == null) {
      missed.put(key, Boolean.TRUE);
    }
    return Optional.ofNullable(view);
  }

  @Override
  public long version() {
    return version.get();
  }

  @Override
  public AutoCloseable onRemoved(Removals listener) {
    removals.add(listener);
    return () -> removals.remove(listener);
  }

  @Override
  public void reset() {
    store.drop();
    known.invalidateAll();
    version.incrementAndGet();
  }

  private static String key(String tenant, String mediaId) {
    return tenant + "/" + mediaId;
  }
}
