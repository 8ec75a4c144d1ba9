package dev.comments.command.ban;

import dev.comments.events.command.BanUser;
import dev.comments.events.command.UnbanUser;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.axonframework.modelling.command.VersionedAggregateIdentifier;

/** Routes a ban command to the user's standing; the contract's commands carry no annotations. */
public final class BanTargetResolver implements CommandTargetResolver {
  @Override
  public VersionedAggregateIdentifier resolveTarget(CommandMessage<?> command) {
    return new VersionedAggregateIdentifier(
        switch (command.getPayload()) {
          case BanUser ban -> UserStanding.streamIdOf(ban.tenant(), ban.userId());
          case UnbanUser unban -> UserStanding.streamIdOf(unban.tenant(), unban.userId());
          default ->
              throw new IllegalArgumentException("not a ban command: " + command.getPayloadType());
        },
        null);
  }
}
