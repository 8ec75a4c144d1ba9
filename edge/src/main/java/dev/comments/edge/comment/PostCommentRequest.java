package dev.comments.edge.comment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.command.CommentIds;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonFields;
import java.util.List;

/**
 * {@code {"text": "…", "parentId": null}}; text rules are the command side's. A {@code parentId}
 * must have the form of a comment id ({@link CommentIds}); what was sent instead is never repeated
 * in the answer, which a page might show.
 */
record PostCommentRequest(String text, String parentId) {
  static PostCommentRequest from(ObjectNode body) {
    JsonFields fields = JsonFields.of(body, List.of("text", "parentId"));
    String text = fields.requiredString("text");
    String parentId = fields.optionalString("parentId");
    if (parentId != null && !CommentIds.isWellFormed(parentId)) {
      throw ApiException.badRequest(
          "invalid_field",
          "field 'parentId' must be a comment id: "
              + CommentIds.LENGTH
              + " characters of lower-case hex and '-' (8-4-4-4-12), or null");
    }
    return new PostCommentRequest(text, parentId);
  }
}
