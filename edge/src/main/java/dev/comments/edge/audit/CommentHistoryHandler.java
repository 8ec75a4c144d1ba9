package dev.comments.edge.audit;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.PathParameters;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.query.AuditLog;
import dev.comments.query.CommentRevision;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.List;
import java.util.Objects;

/**
 * {@code GET …/threads/{thread}/comments/{commentId}/history}, behind the moderator key: every
 * version of the comment's text, oldest first, each with a unified diff from the one before.
 */
public final class CommentHistoryHandler implements HttpHandler {
  private final AuditLog audit;

  public CommentHistoryHandler(AuditLog audit) {
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  record Body(String commentId, List<CommentRevision> revisions) {}

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    ThreadId thread = PathParameters.threadId(exchange);
    String commentId = PathParameters.commentId(exchange);
    List<CommentRevision> revisions =
        audit
            .commentHistory(thread, commentId, ReadPreference.NEAREST)
            .orElseThrow(() -> ApiException.commentNotFound(thread, commentId));
    JsonResponses.send(exchange, 200, new Body(commentId, revisions));
  }
}
