package dev.comments.command.media;

import dev.comments.events.command.MediaCommand;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.axonframework.modelling.command.VersionedAggregateIdentifier;

/** Routes every {@link MediaCommand} to the item it names, read from the contract's record. */
public final class MediaCommandTargetResolver implements CommandTargetResolver {
  @Override
  public VersionedAggregateIdentifier resolveTarget(CommandMessage<?> command) {
    if (command.getPayload() instanceof MediaCommand media) {
      return new VersionedAggregateIdentifier(media.stream().streamId(), null);
    }
    throw new IllegalArgumentException(
        "not a media command: " + command.getPayloadType().getName());
  }
}
