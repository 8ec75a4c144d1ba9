package dev.comments.events.moderation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.events.codec.EventDecodingException;
import dev.comments.events.codec.EventJson;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The JSON of a {@link ModeratorAppointed} on the moderators' topic, with its type and version:
 *
 * <pre>{"type":"ModeratorAppointed","version":1,"tenant":"demo","moderatorId":"…","name":"…",
 * "tokenHash":"…","appointedBy":"admin","appointedAt":"…"}</pre>
 *
 * A dismissal is a tombstone (no value) on the appointment's key.
 */
public final class ModeratorRecordCodec {
  public static final String TYPE = "ModeratorAppointed";
  public static final int VERSION = 1;

  private final ObjectMapper mapper = EventJson.newMapper();

  /**
   * The moderators' topic beside the event log {@code eventLogTopic}: compacted and never expired,
   * unlike the sessions' topic, since an appointment lasts until it is taken back.
   */
  public static String topicOf(String eventLogTopic) {
    return eventLogTopic + ".moderators";
  }

  public byte[] encode(ModeratorAppointed appointed) {
    ObjectNode root = mapper.createObjectNode();
    root.put("type", TYPE);
    root.put("version", VERSION);
    root.put("tenant", appointed.tenant());
    root.put("moderatorId", appointed.moderatorId());
    root.put("name", appointed.name());
    root.put("tokenHash", appointed.tokenHash());
    root.put("appointedBy", appointed.appointedBy());
    root.put("appointedAt", appointed.appointedAt().toString());
    try {
      return mapper.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + TYPE, e);
    }
  }

  /**
   * @throws EventDecodingException for anything but a {@value #TYPE} of a known version
   */
  public ModeratorAppointed decode(byte[] json) {
    try {
      JsonNode root = mapper.readTree(json);
      if (root == null
          || root.path("version").asInt() != VERSION
          || !TYPE.equals(root.path("type").asText())) {
        throw new EventDecodingException("not a " + TYPE + " v" + VERSION);
      }
      return new ModeratorAppointed(
          root.path("tenant").asText(),
          root.path("moderatorId").asText(),
          root.path("name").asText(),
          root.path("tokenHash").asText(),
          root.path("appointedBy").asText(),
          Instant.parse(root.path("appointedAt").asText()));
    } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
      throw new EventDecodingException("malformed moderator record: " + e.getMessage(), e);
    }
  }
}
