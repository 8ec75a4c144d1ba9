package dev.comments.edge.thread;

import dev.comments.command.Accepted;
import dev.comments.command.CommentCommands;
import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.idempotency.IdempotentCommand;
import dev.comments.edge.moderation.Actor;
import dev.comments.events.ThreadId;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * {@code POST …/threads/{thread}/lock} and {@code …/unlock}, by a moderator: the event names the
 * {@link Actor}.
 */
public final class ThreadLockHandler implements HttpHandler {
  private final CommentCommands commands;
  private final WriteAcknowledgement acknowledgement;
  private final boolean lock;

  private ThreadLockHandler(
      CommentCommands commands, WriteAcknowledgement acknowledgement, boolean lock) {
    this.commands = Objects.requireNonNull(commands, "commands");
    this.acknowledgement = Objects.requireNonNull(acknowledgement, "acknowledgement");
    this.lock = lock;
  }

  public static ThreadLockHandler lock(
      CommentCommands commands, WriteAcknowledgement acknowledgement) {
    return new ThreadLockHandler(commands, acknowledgement, true);
  }

  public static ThreadLockHandler unlock(
      CommentCommands commands, WriteAcknowledgement acknowledgement) {
    return new ThreadLockHandler(commands, acknowledgement, false);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    ThreadId thread = PathParameters.threadId(exchange);
    CommentCommands keyed = IdempotentCommand.commands(exchange, commands);
    String moderatorId = Actor.of(exchange).id();
    Accepted accepted = lock ? keyed.lock(thread, moderatorId) : keyed.unlock(thread, moderatorId);
    acknowledgement.sendThread(exchange, accepted);
  }
}
