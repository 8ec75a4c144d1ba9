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
 * The JSON of a {@link SessionRecord} on the sessions' topic, with its type and schema version:
 *
 * <pre>{"type":"SessionRevoked","version":1,"tenant":"demo","sessionId":"…",
 * "expiresAt":"…","revokedAt":"…"}
 * {"type":"UserBlocked","version":1,"tenant":"demo","sessionId":"…","blockedId":"…",
 * "expiresAt":"…","blockedAt":"…"}</pre>
 *
 * The topic kept its first name, {@code <log>.revocations}, when blocks joined the sign-outs on it:
 * renaming it would have dropped every deployment's sign-outs.
 */
public final class SessionRecordCodec {
  public static final String TYPE = "SessionRevoked";
  public static final String BLOCKED = "UserBlocked";
  public static final int VERSION = 1;

  private final ObjectMapper mapper = EventJson.newMapper();

  /** The sessions' topic beside the event log {@code eventLogTopic}. */
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

  public byte[] encode(UserBlocked blocked) {
    ObjectNode root = mapper.createObjectNode();
    root.put("type", BLOCKED);
    root.put("version", VERSION);
    root.put("tenant", blocked.tenant());
    root.put("sessionId", blocked.sessionId());
    root.put("blockedId", blocked.blockedId());
    root.put("expiresAt", blocked.expiresAt().toString());
    root.put("blockedAt", blocked.blockedAt().toString());
    try {
      return mapper.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + BLOCKED, e);
    }
  }

  /**
   * @throws EventDecodingException for anything but a {@value #TYPE} or {@value #BLOCKED} of a
   *     known version
   */
  public SessionRecord decode(byte[] json) {
    try {
      JsonNode root = mapper.readTree(json);
      if (root == null || root.path("version").asInt() != VERSION) {
        throw new EventDecodingException("not a session record v" + VERSION);
      }
      return switch (root.path("type").asText()) {
        case TYPE ->
            new SessionRevoked(
                root.path("tenant").asText(),
                root.path("sessionId").asText(),
                Instant.parse(root.path("expiresAt").asText()),
                Instant.parse(root.path("revokedAt").asText()));
        case BLOCKED ->
            new UserBlocked(
                root.path("tenant").asText(),
                root.path("sessionId").asText(),
                root.path("blockedId").asText(),
                Instant.parse(root.path("expiresAt").asText()),
                Instant.parse(root.path("blockedAt").asText()));
        default -> throw new EventDecodingException("not a session record: " + root.path("type"));
      };
    } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
      throw new EventDecodingException("malformed session record: " + e.getMessage(), e);
    }
  }
}
