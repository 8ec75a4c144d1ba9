package dev.comments.edge.http;

import io.undertow.server.RequestTooBigException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a request body without ever holding more than the limit: a declared length over it is
 * refused before a byte is read, and a chunked body is cut off one byte past it.
 */
public final class BoundedBody {
  private static final int CHUNK = 8192;

  private BoundedBody() {}

  /**
   * @param declaredLength the Content-Length, or -1 when the body is chunked
   * @throws ApiException {@code 413 body_too_large}, or {@code 400 body_unreadable} when the body
   *     cannot be read to its end
   */
  public static byte[] read(InputStream in, long declaredLength, int maxBytes) {
    if (declaredLength > maxBytes) {
      throw tooLarge(
          "the request body of " + declaredLength + " bytes exceeds the limit of " + maxBytes);
    }
    byte[] buffer =
        new byte[declaredLength >= 0 ? (int) declaredLength : Math.min(CHUNK, maxBytes)];
    int length = 0;
    try {
      while (true) {
        if (length == buffer.length) {
          if (length > maxBytes) {
            throw tooLarge("the request body exceeds the limit of " + maxBytes + " bytes");
          }
          // Grow to at most one byte past the limit: enough to tell that the body is too large.
          buffer = Arrays.copyOf(buffer, Math.min(Math.max(CHUNK, length * 2), maxBytes + 1));
        }
        int read = in.read(buffer, length, buffer.length - length);
        if (read < 0) {
          break;
        }
        length += read;
      }
    } catch (RequestTooBigException e) {
      throw tooLarge("the request body exceeds the limit of " + maxBytes + " bytes");
    } catch (IOException e) {
      throw ApiException.badRequest(
          "body_unreadable", "the request body could not be read to its end");
    }
    if (length > maxBytes) {
      throw tooLarge("the request body exceeds the limit of " + maxBytes + " bytes");
    }
    return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
  }

  private static ApiException tooLarge(String message) {
    return new ApiException(413, "body_too_large", message);
  }
}
