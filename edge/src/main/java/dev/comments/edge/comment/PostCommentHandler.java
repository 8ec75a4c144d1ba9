package dev.comments.edge.comment;

import dev.comments.command.Accepted;
import dev.comments.command.CommentCommands;
import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.JsonBodyReader;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.session.Session;
import dev.comments.events.Author;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/** {@code POST /api/v1/tenants/{tenant}/threads/{thread}/comments}: post as the session. */
public final class PostCommentHandler implements HttpHandler {
  private final CommentCommands commands;
  private final JsonBodyReader bodies;
  private final WriteAcknowledgement acknowledgement;

  public PostCommentHandler(
      CommentCommands commands, JsonBodyReader bodies, WriteAcknowledgement acknowledgement) {
    this.commands = Objects.requireNonNull(commands, "commands");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.acknowledgement = Objects.requireNonNull(acknowledgement, "acknowledgement");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Session session = Session.of(exchange);
    PostCommentRequest request = PostCommentRequest.from(bodies.readObject(exchange));
    Accepted accepted =
        commands.post(
            PathParameters.threadId(exchange),
            request.parentId(),
            Author.anonymous(session.sessionId(), session.displayName()),
            request.text());
    acknowledgement.sendComment(exchange, 201, accepted);
  }
}
