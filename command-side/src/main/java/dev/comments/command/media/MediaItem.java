package dev.comments.command.media;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import dev.comments.events.MediaRemoved;
import dev.comments.events.MediaUploaded;
import dev.comments.events.command.AttachMedia;
import dev.comments.events.command.RegisterMedia;
import dev.comments.events.command.RemoveMedia;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;

/**
 * One uploaded media item (identifier {@code media:tenant/mediaId}): registered once its bytes are
 * stored, removed at most once. Its stream gives the item's events gap-free seqs, like a thread's.
 */
public final class MediaItem {
  @AggregateIdentifier private String streamId;
  private boolean removed;

  MediaItem() {}

  @CommandHandler
  MediaItem(RegisterMedia command) {
    apply(
        new MediaUploaded(
            command.tenant(),
            command.mediaId(),
            command.contentHash(),
            command.contentType(),
            command.size(),
            command.width(),
            command.height(),
            command.uploadedBy(),
            command.at()));
  }

  /** Removing a removed item changes nothing: the moderator's intent already holds. */
  @CommandHandler
  boolean handle(RemoveMedia command) {
    if (removed) {
      return false;
    }
    apply(
        new MediaRemoved(command.tenant(), command.mediaId(), command.moderatorId(), command.at()));
    return true;
  }

  /**
   * A comment may show the item while it is not removed; nothing is logged. An item never uploaded
   * has no stream, which the caller hears as Axon's aggregate-not-found.
   */
  @CommandHandler
  void handle(AttachMedia command) {
    if (removed) {
      throw new CommandRejectedException(
          Rejection.MEDIA_REMOVED,
          "media " + command.mediaId() + " was removed by a moderator and cannot be shown");
    }
  }

  @EventSourcingHandler
  void on(MediaUploaded event) {
    streamId = event.stream().streamId();
  }

  @EventSourcingHandler
  void on(MediaRemoved event) {
    removed = true;
  }
}
