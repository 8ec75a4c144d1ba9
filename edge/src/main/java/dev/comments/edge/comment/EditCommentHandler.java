package dev.comments.edge.comment;

import dev.comments.command.Accepted;
import dev.comments.command.CommentCommands;
import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.JsonBodyReader;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.session.Session;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/** {@code PATCH /api/v1/tenants/{tenant}/comments/{commentId}}: replace the text. */
public final class EditCommentHandler implements HttpHandler {
  private final CommentCommands commands;
  private final JsonBodyReader bodies;
  private final WriteAcknowledgement acknowledgement;

  public EditCommentHandler(
      CommentCommands commands, JsonBodyReader bodies, WriteAcknowledgement acknowledgement) {
    this.commands = Objects.requireNonNull(commands, "commands");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.acknowledgement = Objects.requireNonNull(acknowledgement, "acknowledgement");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Session session = Session.of(exchange);
    EditCommentRequest request = EditCommentRequest.from(bodies.readObject(exchange));
    Accepted accepted =
        commands.edit(
            session.tenant(),
            PathParameters.commentId(exchange),
            session.sessionId(),
            request.text());
    acknowledgement.sendComment(exchange, 200, accepted);
  }
}
