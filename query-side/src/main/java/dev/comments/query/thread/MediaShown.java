package dev.comments.query.thread;

import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.query.CommentMedia;
import dev.comments.query.MediaCatalog;
import dev.comments.query.MediaView;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What readers see of the media a comment names, looked up in the node's {@link MediaCatalog} each
 * time a view is made rather than copied into the thread: a removal (another stream, which may be
 * applied before or after the comment) then leaves the item out of every view made after it,
 * without touching the threads that name it. An item this node has not seen uploaded yet is shown
 * by its id alone.
 */
public final class MediaShown {
  /** Knows no item: every id is shown by itself. */
  public static final MediaShown NONE_KNOWN = new MediaShown(MediaCatalog.NONE);

  private final MediaCatalog catalog;

  public MediaShown(MediaCatalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  /** The catalogue's version: read before the views it applies to, so a later change re-keys. */
  long version() {
    return catalog.version();
  }

  List<CommentMedia> of(ThreadId thread, StoredComment comment, ReadPreference readPreference) {
    if (!comment.showsContent()) {
      return List.of();
    }
    return of(thread.tenant(), comment.media(), readPreference);
  }

  /**
   * The items {@code ids} name as the catalogue knows them, whatever the status of the comment that
   * names them (moderators see a held comment's media), removed ones left out.
   */
  public List<CommentMedia> of(String tenant, List<String> ids, ReadPreference readPreference) {
    if (ids.isEmpty()) {
      return List.of();
    }
    List<CommentMedia> shown = new ArrayList<>(ids.size());
    for (String id : ids) {
      Optional<MediaView> item = catalog.find(tenant, id, readPreference);
      if (item.isEmpty()) {
        shown.add(CommentMedia.idOnly(tenant, id));
      } else if (!item.get().removed()) {
        MediaView known = item.get();
        shown.add(new CommentMedia(tenant, id, known.contentType(), known.width(), known.height()));
      }
    }
    return List.copyOf(shown);
  }
}
