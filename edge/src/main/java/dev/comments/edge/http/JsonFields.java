package dev.comments.edge.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;

/**
 * The fields of a request object, checked by name and type so that each mistake gets its own code:
 * {@code unknown_field}, {@code missing_field} or {@code invalid_field}, naming the field. Values
 * are never coerced: {@code 5} is not a string and {@code "5"} is not a number.
 */
public final class JsonFields {
  private final ObjectNode node;

  private JsonFields(ObjectNode node) {
    this.node = node;
  }

  /**
   * @throws ApiException {@code 400 unknown_field} naming the first field not in {@code allowed}
   */
  public static JsonFields of(ObjectNode node, List<String> allowed) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw ApiException.badRequest(
            "unknown_field",
            "unknown field '" + name + "'; this request takes " + String.join(", ", allowed));
      }
    }
    return new JsonFields(node);
  }

  public static JsonFields empty() {
    return new JsonFields(null);
  }

  public String requiredString(String name) {
    JsonNode value = node == null ? null : node.get(name);
    if (value == null) {
      throw ApiException.badRequest("missing_field", "field '" + name + "' is required");
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest(
          "invalid_field", "field '" + name + "' must be a string, not " + describe(value));
    }
    return value.textValue();
  }

  /** The string, or {@code null} when the field is absent or {@code null}. */
  public String optionalString(String name) {
    JsonNode value = node == null ? null : node.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest(
          "invalid_field", "field '" + name + "' must be a string or null, not " + describe(value));
    }
    return value.textValue();
  }

  private static String describe(JsonNode value) {
    return switch (value.getNodeType()) {
      case NULL -> "null";
      case BOOLEAN -> "a boolean";
      case NUMBER -> "a number";
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      default -> "a " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
