package dev.comments.command.media;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.MediaIds;
import dev.comments.command.Rejection;
import dev.comments.events.command.AttachMedia;
import dev.comments.events.command.PostComment;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.modelling.command.AggregateNotFoundException;

/**
 * Checks the media a comment names before it is posted: each id must name an item uploaded in the
 * same tenant ({@link MediaItem}, stream {@code media:tenant/mediaId}, so another tenant's item is
 * simply not there) and not removed. The item is asked ({@link AttachMedia}), which logs nothing; a
 * removal that lands between this check and the post is hidden by every node's read model, which
 * leaves removed media out of every view.
 */
public final class MediaReferences {
  private final CommandGateway gateway;
  private final Clock clock;

  public MediaReferences(CommandGateway gateway, Clock clock) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * @throws CommandRejectedException {@code unknown_media} or {@code media_removed}, naming the
   *     first id refused
   * @throws IllegalArgumentException for more ids than a comment may show, or an id twice: the edge
   *     refuses those before they come here
   */
  public void check(String tenant, List<String> mediaIds) {
    Objects.requireNonNull(tenant, "tenant");
    if (mediaIds.size() > PostComment.MAX_MEDIA) {
      throw new IllegalArgumentException(
          "at most " + PostComment.MAX_MEDIA + " media per comment, not " + mediaIds.size());
    }
    if (new HashSet<>(mediaIds).size() != mediaIds.size()) {
      throw new IllegalArgumentException("a media id is named twice: " + mediaIds);
    }
    for (String mediaId : mediaIds) {
      if (!MediaIds.isWellFormed(mediaId)) {
        // No such id was ever made, and its text must not reach a stream id.
        throw unknown(tenant, "an id of another form");
      }
      try {
        gateway.sendAndWait(
            GenericCommandMessage.asCommandMessage(
                new AttachMedia(tenant, mediaId, clock.instant())));
      } catch (AggregateNotFoundException missing) {
        throw unknown(tenant, mediaId);
      } catch (CommandExecutionException e) {
        if (e.getCause() instanceof CommandRejectedException rejected) {
          throw rejected;
        }
        throw e;
      }
    }
  }

  private static CommandRejectedException unknown(String tenant, String mediaId) {
    return new CommandRejectedException(
        Rejection.UNKNOWN_MEDIA, "no media " + mediaId + " was uploaded in tenant " + tenant);
  }
}
