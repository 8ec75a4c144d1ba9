package dev.comments.edge.comment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.edge.http.JsonFields;
import java.util.List;

/** {@code {"text": "…"}}. */
record EditCommentRequest(String text) {
  static EditCommentRequest from(ObjectNode body) {
    return new EditCommentRequest(JsonFields.of(body, List.of("text")).requiredString("text"));
  }
}
