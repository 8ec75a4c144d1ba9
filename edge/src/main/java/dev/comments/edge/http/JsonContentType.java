package dev.comments.edge.http;

import java.util.Locale;

/**
 * The only request body type the API takes: {@code application/json}, UTF-8 if a charset is named.
 */
public final class JsonContentType {
  private JsonContentType() {}

  /**
   * @throws ApiException {@code 415 unsupported_media_type} unless {@code header} names JSON in
   *     UTF-8
   */
  public static void require(String header) {
    if (header == null || header.isBlank()) {
      throw unsupported("the request has a body but no Content-Type; send application/json");
    }
    // Limit -1: a header of only ";" must split into empty parts, not into none (found by fuzzing).
    String[] parts = header.split(";", -1);
    String type = parts[0].strip().toLowerCase(Locale.ROOT);
    if (!type.equals("application/json")) {
      throw unsupported("Content-Type must be application/json");
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].strip();
      int equals = parameter.indexOf('=');
      if (equals < 0) {
        continue;
      }
      String name = parameter.substring(0, equals).strip().toLowerCase(Locale.ROOT);
      String value = unquote(parameter.substring(equals + 1).strip()).toLowerCase(Locale.ROOT);
      if (name.equals("charset") && !value.equals("utf-8")) {
        throw unsupported("the request body must be UTF-8; charset=" + value + " is not supported");
      }
    }
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }

  private static ApiException unsupported(String message) {
    return new ApiException(415, "unsupported_media_type", message);
  }
}
