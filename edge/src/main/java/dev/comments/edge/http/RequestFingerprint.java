package dev.comments.edge.http;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A hash of what a request asks for: method, path and body. The body is hashed in a canonical form
 * (parsed, object members sorted, no whitespace), so a retry that only reorders or reformats its
 * JSON is the same request; a body that does not parse is hashed as sent (it will be refused).
 */
public final class RequestFingerprint {
  private static final JsonMapper CANONICAL =
      JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

  private RequestFingerprint() {}

  /** Needs the body received by {@link ReceiveBody}. */
  public static String of(HttpServerExchange exchange) {
    return of(
        exchange.getRequestMethod().toString(),
        exchange.getRequestPath(),
        ReceiveBody.of(exchange));
  }

  static String of(String method, String path, byte[] body) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    sha.update(method.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(path.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(canonical(body));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
  }

  static byte[] canonical(byte[] body) {
    if (body.length == 0) {
      return body;
    }
    try {
      return CANONICAL.writeValueAsBytes(CANONICAL.readValue(body, Object.class));
    } catch (IOException e) {
      return body;
    }
  }
}
