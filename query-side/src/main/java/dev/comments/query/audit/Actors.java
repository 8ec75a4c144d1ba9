package dev.comments.query.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Who did an event and why, read from its payload by the naming rules every event follows, so that
 * an event type added later is audited without a change here: the actor is the first field named
 * {@code moderator…}, then one ending in {@code By}, then one of {@link #ACTOR_IDS}, then the
 * {@code author}'s id. Moderator fields ({@code moderator…}, {@code lockedBy}, {@code unlockedBy})
 * make the actor a moderator. The reason is a {@code reason} or {@code note} field.
 */
final class Actors {
  static final String USER = "user";
  static final String MODERATOR = "moderator";

  /** Fields that name the user who acted, by the events' naming. */
  static final List<String> ACTOR_IDS =
      List.of("actorId", "editorId", "voterId", "flaggerId", "requesterId", "userId");

  private static final List<String> MODERATOR_FIELDS = List.of("lockedBy", "unlockedBy");

  record Actor(String id, String kind) {}

  private Actors() {}

  static Actor of(ObjectNode payload) {
    for (Iterator<Map.Entry<String, JsonNode>> it = payload.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().startsWith("moderator") && field.getValue().isTextual()) {
        return new Actor(field.getValue().asText(), MODERATOR);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = payload.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().endsWith("By") && field.getValue().isTextual()) {
        String kind = MODERATOR_FIELDS.contains(field.getKey()) ? MODERATOR : USER;
        return new Actor(field.getValue().asText(), kind);
      }
    }
    for (String name : ACTOR_IDS) {
      JsonNode value = payload.get(name);
      if (value != null && value.isTextual()) {
        return new Actor(value.asText(), USER);
      }
    }
    JsonNode author = payload.get("author");
    if (author != null && author.get("id") != null && author.get("id").isTextual()) {
      return new Actor(author.get("id").asText(), USER);
    }
    return new Actor(null, null);
  }

  static String reasonOf(ObjectNode payload) {
    for (String name : List.of("reason", "note")) {
      JsonNode value = payload.get(name);
      if (value != null && value.isTextual()) {
        return value.asText();
      }
    }
    return null;
  }
}
