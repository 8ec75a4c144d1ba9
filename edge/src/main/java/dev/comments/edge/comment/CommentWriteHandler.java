package dev.comments.edge.comment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.command.Accepted;
import dev.comments.command.CommentCommands;
import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.JsonBodyReader;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.idempotency.IdempotentCommand;
import dev.comments.edge.session.Session;
import dev.comments.events.Author;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * The session's writes to comments: each maps the request to one command of {@link CommentCommands}
 * and answers with the comment id and a consistency token. One class, since the routes differ only
 * in that mapping; the factories name the routes.
 */
public final class CommentWriteHandler implements HttpHandler {
  /**
   * Maps a request (its session, path and body, {@code null} when the route has none) to a command
   * of {@code commands}, the commands under the request's idempotency key.
   */
  @FunctionalInterface
  private interface Write {
    Accepted send(
        CommentCommands commands, Session session, HttpServerExchange exchange, ObjectNode body);
  }

  private final CommentCommands commands;
  private final JsonBodyReader bodies;
  private final WriteAcknowledgement acknowledgement;
  private final int status;
  private final Write write;

  private CommentWriteHandler(
      CommentCommands commands,
      JsonBodyReader bodies,
      WriteAcknowledgement acknowledgement,
      int status,
      Write write) {
    this.commands = Objects.requireNonNull(commands, "commands");
    this.bodies = bodies;
    this.acknowledgement = Objects.requireNonNull(acknowledgement, "acknowledgement");
    this.status = status;
    this.write = write;
  }

  /** {@code POST /api/v1/tenants/{tenant}/threads/{thread}/comments}: post as the session. */
  public static CommentWriteHandler post(
      CommentCommands commands, JsonBodyReader bodies, WriteAcknowledgement acknowledgement) {
    return new CommentWriteHandler(
        commands,
        Objects.requireNonNull(bodies, "bodies"),
        acknowledgement,
        201,
        (keyed, session, exchange, body) -> {
          PostCommentRequest request = PostCommentRequest.from(body);
          return keyed.post(
              PathParameters.threadId(exchange),
              request.parentId(),
              Author.anonymous(session.sessionId(), session.displayName()),
              request.text(),
              request.media(),
              request.page());
        });
  }

  /**
   * {@code PATCH /api/v1/tenants/{tenant}/comments/{commentId}}: replace the text, and the media
   * when the body names them.
   */
  public static CommentWriteHandler edit(
      CommentCommands commands, JsonBodyReader bodies, WriteAcknowledgement acknowledgement) {
    return new CommentWriteHandler(
        commands,
        Objects.requireNonNull(bodies, "bodies"),
        acknowledgement,
        200,
        (keyed, session, exchange, body) -> {
          EditCommentRequest request = EditCommentRequest.from(body);
          return keyed.edit(
              session.tenant(),
              PathParameters.commentId(exchange),
              session.sessionId(),
              request.text(),
              request.media());
        });
  }

  /** {@code DELETE /api/v1/tenants/{tenant}/comments/{commentId}}: remove as its author. */
  public static CommentWriteHandler delete(
      CommentCommands commands, WriteAcknowledgement acknowledgement) {
    return new CommentWriteHandler(
        commands,
        null,
        acknowledgement,
        200,
        (keyed, session, exchange, body) ->
            keyed.delete(
                session.tenant(), PathParameters.commentId(exchange), session.sessionId()));
  }

  /** {@code POST /api/v1/tenants/{tenant}/comments/{commentId}/vote}: up, down or none. */
  public static CommentWriteHandler vote(
      CommentCommands commands, JsonBodyReader bodies, WriteAcknowledgement acknowledgement) {
    return new CommentWriteHandler(
        commands,
        Objects.requireNonNull(bodies, "bodies"),
        acknowledgement,
        200,
        (keyed, session, exchange, body) ->
            keyed.vote(
                session.tenant(),
                PathParameters.commentId(exchange),
                session.sessionId(),
                VoteRequest.from(body).direction()));
  }

  /** {@code POST /api/v1/tenants/{tenant}/comments/{commentId}/flag}: report to moderators. */
  public static CommentWriteHandler flag(
      CommentCommands commands, JsonBodyReader bodies, WriteAcknowledgement acknowledgement) {
    return new CommentWriteHandler(
        commands,
        Objects.requireNonNull(bodies, "bodies"),
        acknowledgement,
        200,
        (keyed, session, exchange, body) ->
            keyed.flag(
                session.tenant(),
                PathParameters.commentId(exchange),
                session.sessionId(),
                FlagRequest.from(body).reason()));
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    ObjectNode body = bodies == null ? null : bodies.readObject(exchange);
    Accepted accepted =
        write.send(
            IdempotentCommand.commands(exchange, commands), Session.of(exchange), exchange, body);
    acknowledgement.sendComment(exchange, status, accepted);
  }
}
