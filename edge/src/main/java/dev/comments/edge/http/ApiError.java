package dev.comments.edge.http;

import java.util.Map;
import java.util.Objects;

/**
 * What a client is told when a request fails: status, stable code, human message, extra headers.
 */
public record ApiError(int status, String code, String message, Map<String, String> headers) {
  public ApiError {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    headers = Map.copyOf(headers);
  }

  public ApiError(int status, String code, String message) {
    this(status, code, message, Map.of());
  }
}
