package dev.comments.command.thread;

import dev.comments.events.command.ThreadCommand;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.axonframework.modelling.command.VersionedAggregateIdentifier;

/**
 * Routes every {@link ThreadCommand} (and {@link SettleRetry}) to the thread it names. The commands
 * live in the events contract, which carries no Axon annotations, so the target is read from {@code
 * threadId()}.
 */
public final class ThreadCommandTargetResolver implements CommandTargetResolver {
  @Override
  public VersionedAggregateIdentifier resolveTarget(CommandMessage<?> command) {
    if (command.getPayload() instanceof ThreadCommand threadCommand) {
      return new VersionedAggregateIdentifier(threadCommand.threadId().streamId(), null);
    }
    if (command.getPayload() instanceof SettleRetry ask) {
      return new VersionedAggregateIdentifier(ask.threadId().streamId(), null);
    }
    throw new IllegalArgumentException(
        "not a thread command: " + command.getPayloadType().getName());
  }
}
