package dev.comments.command;

import static org.axonframework.commandhandling.GenericCommandResultMessage.asCommandResultMessage;

import dev.comments.command.store.DurableAppends;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandCallback;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.callbacks.NoOpCallback;
import org.axonframework.common.Registration;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.MessageHandler;
import org.axonframework.messaging.MessageHandlerInterceptor;

/**
 * Axon's command bus with pipelined appends ({@link DurableAppends}): each command is counted on
 * its stream while it runs, so that an append knows whether others wait for the thread, and its
 * result reaches the caller only once its stream's appends are durable. Axon's simple bus runs the
 * command on the caller's thread and calls back after the unit of work ended, the thread's lock
 * released: the wait for the barrier holds no lock.
 */
final class DurableCommandBus implements CommandBus {
  private final CommandBus delegate;
  private final DurableAppends appends;
  private final Function<CommandMessage<?>, String> streams;

  /**
   * @param streams the stream a command is sent to (its aggregate's identifier)
   */
  DurableCommandBus(
      CommandBus delegate, DurableAppends appends, Function<CommandMessage<?>, String> streams) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.appends = Objects.requireNonNull(appends, "appends");
    this.streams = Objects.requireNonNull(streams, "streams");
  }

  @Override
  public <C> void dispatch(CommandMessage<C> command) {
    dispatch(command, NoOpCallback.INSTANCE);
  }

  @Override
  public <C, R> void dispatch(
      CommandMessage<C> command, CommandCallback<? super C, ? super R> callback) {
    DurableAppends.Started started = appends.started(streams.apply(command));
    AtomicBoolean answered = new AtomicBoolean();
    try {
      delegate.dispatch(
          command,
          (CommandMessage<? extends C> sent, CommandResultMessage<? extends R> result) -> {
            answered.set(true);
            callback.onResult(sent, durable(started, result));
          });
    } finally {
      if (!answered.get()) {
        // Refused before it ran (no handler, a dispatch interceptor): it appended nothing.
        appends.finished(started);
      }
    }
  }

  /** The result once the stream's appends are durable; a failure if they could not be made so. */
  private <R> CommandResultMessage<? extends R> durable(
      DurableAppends.Started started, CommandResultMessage<? extends R> result) {
    if (result.isExceptional()) {
      try {
        // The command failed, but an append it made may wait for a barrier: write it.
        appends.finished(started);
      } catch (RuntimeException alsoFailed) {
        result.exceptionResult().addSuppressed(alsoFailed);
      }
      return result;
    }
    try {
      appends.finished(started);
      return result;
    } catch (RuntimeException notDurable) {
      return asCommandResultMessage(notDurable);
    }
  }

  @Override
  public Registration subscribe(
      String commandName, MessageHandler<? super CommandMessage<?>> handler) {
    return delegate.subscribe(commandName, handler);
  }

  @Override
  public Registration registerHandlerInterceptor(
      MessageHandlerInterceptor<? super CommandMessage<?>> handlerInterceptor) {
    return delegate.registerHandlerInterceptor(handlerInterceptor);
  }

  @Override
  public Registration registerDispatchInterceptor(
      MessageDispatchInterceptor<? super CommandMessage<?>> dispatchInterceptor) {
    return delegate.registerDispatchInterceptor(dispatchInterceptor);
  }
}
