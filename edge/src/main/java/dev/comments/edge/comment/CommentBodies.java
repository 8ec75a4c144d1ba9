package dev.comments.edge.comment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.edge.http.JsonBodyReader;
import io.undertow.server.HttpHandler;
import java.util.Objects;

/**
 * On a replica, a command's body is bound here exactly as the primary will bind it, and refused
 * with the same code when it does not fit: a malformed request costs no trip across the ocean. The
 * request itself travels on unchanged; the business rules stay the primary's.
 */
public final class CommentBodies {
  /** The routes whose bodies are bound. */
  public enum Kind {
    POST,
    EDIT,
    VOTE,
    FLAG
  }

  private CommentBodies() {}

  public static HttpHandler checked(Kind kind, JsonBodyReader bodies, HttpHandler next) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(bodies, "bodies");
    Objects.requireNonNull(next, "next");
    return exchange -> {
      ObjectNode body = bodies.readObject(exchange);
      switch (kind) {
        case POST -> PostCommentRequest.from(body);
        case EDIT -> EditCommentRequest.from(body);
        case VOTE -> VoteRequest.from(body);
        case FLAG -> FlagRequest.from(body);
      }
      next.handleRequest(exchange);
    };
  }
}
