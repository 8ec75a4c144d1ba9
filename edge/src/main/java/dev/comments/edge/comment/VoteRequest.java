package dev.comments.edge.comment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonFields;
import dev.comments.events.VoteDirection;
import java.util.List;

/** {@code {"direction": "up" | "down" | "none"}}. */
record VoteRequest(VoteDirection direction) {
  static VoteRequest from(ObjectNode body) {
    String direction = JsonFields.of(body, List.of("direction")).requiredString("direction");
    return new VoteRequest(
        VoteDirection.parse(direction)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "invalid_field",
                        "field 'direction' must be \"up\", \"down\" or \"none\"")));
  }
}
