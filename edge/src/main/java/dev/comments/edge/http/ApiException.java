package dev.comments.edge.http;

import dev.comments.events.ThreadId;
import java.util.Map;
import java.util.Objects;

/**
 * A request the edge itself refuses: bad input, a missing session, an unknown route. It carries the
 * HTTP status and the stable machine code, so {@link ErrorMapping} only has to copy them.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final transient Map<String, String> headers;

  public ApiException(int status, String code, String message) {
    this(status, code, message, Map.of());
  }

  public ApiException(int status, String code, String message, Map<String, String> headers) {
    // No stack trace: these are answers to clients, thrown often under hostile load.
    super(Objects.requireNonNull(message, "message"), null, false, false);
    this.status = status;
    this.code = Objects.requireNonNull(code, "code");
    this.headers = Map.copyOf(headers);
  }

  public static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message);
  }

  public static ApiException unauthorized(String code, String message) {
    return new ApiException(401, code, message);
  }

  public static ApiException notFound(String code, String message) {
    return new ApiException(404, code, message);
  }

  /** 404 {@code comment_not_found}: {@code thread} has no comment {@code commentId}. */
  public static ApiException commentNotFound(ThreadId thread, String commentId) {
    return notFound(
        "comment_not_found",
        "there is no comment '"
            + commentId
            + "' in thread '"
            + thread.thread()
            + "' of tenant '"
            + thread.tenant()
            + "'");
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
