package dev.comments.edge.thread;

import dev.comments.command.Accepted;
import dev.comments.command.CommentCommands;
import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.idempotency.IdempotentCommand;
import dev.comments.events.ThreadId;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/** {@code POST …/threads/{thread}/lock} and {@code …/unlock}, behind the moderator key. */
public final class ThreadLockHandler implements HttpHandler {
  /**
   * Who the event names as moderator. A tenant has one shared moderator key, so there is no person
   * to name yet; per-moderator accounts will replace this.
   */
  public static final String MODERATOR_ID = "moderator-key";

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
    Accepted accepted =
        lock ? keyed.lock(thread, MODERATOR_ID) : keyed.unlock(thread, MODERATOR_ID);
    acknowledgement.sendThread(exchange, accepted);
  }
}
