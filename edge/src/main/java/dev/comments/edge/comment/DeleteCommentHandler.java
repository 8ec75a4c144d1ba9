package dev.comments.edge.comment;

import dev.comments.command.Accepted;
import dev.comments.command.CommentCommands;
import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.session.Session;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/** {@code DELETE /api/v1/tenants/{tenant}/comments/{commentId}}: remove as its author. */
public final class DeleteCommentHandler implements HttpHandler {
  private final CommentCommands commands;
  private final WriteAcknowledgement acknowledgement;

  public DeleteCommentHandler(CommentCommands commands, WriteAcknowledgement acknowledgement) {
    this.commands = Objects.requireNonNull(commands, "commands");
    this.acknowledgement = Objects.requireNonNull(acknowledgement, "acknowledgement");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Session session = Session.of(exchange);
    Accepted accepted =
        commands.delete(session.tenant(), PathParameters.commentId(exchange), session.sessionId());
    acknowledgement.sendComment(exchange, 200, accepted);
  }
}
