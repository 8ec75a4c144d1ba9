package dev.comments.edge.comment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.edge.http.JsonFields;
import java.util.List;

/** {@code {"reason": "…"}}; reason rules are the command side's. */
record FlagRequest(String reason) {
  static FlagRequest from(ObjectNode body) {
    return new FlagRequest(JsonFields.of(body, List.of("reason")).requiredString("reason"));
  }
}
