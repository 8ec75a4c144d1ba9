package dev.comments.events.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.events.codec.EventDecodingException;
import dev.comments.events.codec.EventJson;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The JSON of a {@link SessionRevoked} on the revocations topic, with its schema version:
 *
 * <pre>{"type":"SessionRevoked","version":1,"tenant":"demo","sessionId":"…",
 * "expiresAt":"…","revokedAt":"…"}</pre>
 */
public final class SessionRevocationCodec {
  public static final String TYPE = "SessionRevoked";
  public static final int VERSION = 1;

  private final ObjectMapper mapper = EventJson.newMapper();

  /** The revocations topic beside the event log {@code eventLogTopic}. */
  public static String topicOf(String eventLogTopic) {
    return eventLogTopic + ".revocations";
  }

  public byte[] encode(SessionRevoked revoked) {
    ObjectNode root = mapper.createObjectNode();
    root.put("type", TYPE);
    root.put("version", VERSION);
    root.put("tenant", revoked.tenant());
    root.put("sessionId", revoked.sessionId());
    root.put("expiresAt", revoked.expiresAt().toString());
    root.put("revokedAt", revoked.revokedAt().toString());
    try {
      return mapper.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + TYPE, e);
    }
  }

  /**
   * @throws EventDecodingException for anything but a {@value #TYPE} of a known version
   */
  public SessionRevoked decode(byte[] json) {
    try {
      JsonNode root = mapper.readTree(json);
      if (root == null
          || !TYPE.equals(root.path("type").asText())
          || root.path("version").asInt() != VERSION) {
        throw new EventDecodingException("not a " + TYPE + " v" + VERSION);
      }
      return new SessionRevoked(
          root.path("tenant").asText(),
          root.path("sessionId").asText(),
          Instant.parse(root.path("expiresAt").asText()),
          Instant.parse(root.path("revokedAt").asText()));
    } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
      throw new EventDecodingException("malformed " + TYPE + ": " + e.getMessage(), e);
    }
  }
}
