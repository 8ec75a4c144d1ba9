package dev.comments.events.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.events.LoggedEvent;
import dev.comments.events.StreamId;
import java.io.IOException;
import java.time.Instant;

/**
 * Turns events into the JSON that travels on the log and back. The envelope names the event type
 * and schema version; reading upcasts older versions, so an old message stays readable forever.
 *
 * <pre>{"eventId":"…","type":"CommentPosted","version":2,"stream":"demo/t1","seq":0,
 * "time":"2026-01-01T00:00:00Z","payload":{…}}</pre>
 */
public final class EventCodec {
  private final ObjectMapper mapper;

  public EventCodec() {
    this(EventJson.newMapper());
  }

  public EventCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public byte[] encode(EventEnvelope envelope) {
    EventTypes.EventType type = EventTypes.of(envelope.event());
    ObjectNode root = mapper.createObjectNode();
    root.put("eventId", envelope.eventId());
    root.put("type", type.name());
    root.put("version", type.version());
    root.put("stream", envelope.stream().streamId());
    root.put("seq", envelope.seq());
    root.put("time", envelope.time().toString());
    root.set("payload", payloadOf(envelope.event()));
    try {
      return mapper.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + type.name(), e);
    }
  }

  public EventEnvelope decode(byte[] json) {
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (IOException e) {
      throw new EventDecodingException("not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new EventDecodingException("an event envelope must be a JSON object");
    }
    try {
      LoggedEvent event =
          payloadFromJson(
              required(root, "type").asText(),
              required(root, "version").asInt(),
              required(root, "payload"));
      return new EventEnvelope(
          required(root, "eventId").asText(),
          StreamId.parse(required(root, "stream").asText()),
          required(root, "seq").asLong(),
          Instant.parse(required(root, "time").asText()),
          event);
    } catch (RuntimeException e) {
      if (e instanceof EventDecodingException decoding) {
        throw decoding;
      }
      throw new EventDecodingException("malformed event envelope: " + e.getMessage(), e);
    }
  }

  /** The payload of an event at its type's current version. */
  public ObjectNode payloadOf(LoggedEvent event) {
    return mapper.valueToTree(event);
  }

  /** Reads a payload of any known version, upcasting it first. */
  public LoggedEvent payloadFromJson(String type, int version, JsonNode payload) {
    if (!payload.isObject()) {
      throw new EventDecodingException(type + " payload must be a JSON object");
    }
    ObjectNode current = Upcasters.toCurrent(type, version, (ObjectNode) payload);
    Class<? extends LoggedEvent> javaType = EventTypes.byName(type).orElseThrow().javaType();
    try {
      return mapper.treeToValue(current, javaType);
    } catch (JsonProcessingException e) {
      throw new EventDecodingException(
          "malformed " + type + " version " + version + ": " + e.getOriginalMessage(), e);
    }
  }

  private static JsonNode required(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new EventDecodingException("event envelope lacks \"" + field + "\"");
    }
    return node;
  }
}
