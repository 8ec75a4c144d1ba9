package dev.comments.edge.comment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.edge.http.JsonFields;
import java.util.List;

/** {@code {"text": "…", "parentId": null}}; text rules are the command side's. */
record PostCommentRequest(String text, String parentId) {
  static PostCommentRequest from(ObjectNode body) {
    JsonFields fields = JsonFields.of(body, List.of("text", "parentId"));
    return new PostCommentRequest(fields.requiredString("text"), fields.optionalString("parentId"));
  }
}
