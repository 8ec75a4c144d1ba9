package dev.comments.edge.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.edge.http.JsonFields;
import java.util.List;
import java.util.Optional;

/** {@code {"displayName": "…"}}, all optional; the name is already trimmed and checked. */
record CreateSessionRequest(String displayName) {
  static CreateSessionRequest from(Optional<ObjectNode> body) {
    JsonFields fields =
        body.map(node -> JsonFields.of(node, List.of("displayName"))).orElseGet(JsonFields::empty);
    return new CreateSessionRequest(DisplayName.normalize(fields.optionalString("displayName")));
  }
}
