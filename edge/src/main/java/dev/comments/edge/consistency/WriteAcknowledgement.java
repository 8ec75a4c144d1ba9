package dev.comments.edge.consistency;

import dev.comments.command.Accepted;
import dev.comments.edge.http.JsonResponses;
import dev.comments.events.CommentStatus;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.util.Objects;

/**
 * Answers an accepted command: its consistency token in the body and in {@value #HEADER}, so the
 * writer's next read can wait for its own write.
 */
public final class WriteAcknowledgement {
  public static final String HEADER = "X-Consistency-Token";

  private final ConsistencyTokens tokens;

  public WriteAcknowledgement(ConsistencyTokens tokens) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  /**
   * {@code {"commentId": "…", "token": "…", "status": "approved|pending|rejected|removed"}}: the
   * comment's status after the command, so a writer whose post is held for the moderators is told.
   */
  public void sendComment(HttpServerExchange exchange, int status, Accepted accepted) {
    String token = token(exchange, accepted);
    JsonResponses.send(
        exchange, status, new CommentWritten(accepted.commentId(), token, accepted.status()));
  }

  /** {@code {"token": "…"}}, for thread-wide commands. */
  public void sendThread(HttpServerExchange exchange, Accepted accepted) {
    JsonResponses.send(exchange, 200, new ThreadWritten(token(exchange, accepted)));
  }

  private String token(HttpServerExchange exchange, Accepted accepted) {
    String token = tokens.encode(new ConsistencyToken(accepted.thread(), accepted.seq()));
    exchange.getResponseHeaders().put(HttpString.tryFromString(HEADER), token);
    return token;
  }

  record CommentWritten(String commentId, String token, CommentStatus status) {}

  record ThreadWritten(String token) {}
}
