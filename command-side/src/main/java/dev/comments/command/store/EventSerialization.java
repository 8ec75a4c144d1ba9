package dev.comments.command.store;

import dev.comments.events.CommentEvent;
import dev.comments.events.codec.EventJson;
import dev.comments.events.codec.EventTypes;
import org.axonframework.serialization.RevisionResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * The one serializer of the command side: event payloads are stored as the same JSON that travels
 * on Kafka (the contract's mapper), tagged with the contract's schema version as Axon's revision,
 * so that the store and the log share one set of upcasters. Tokens and metadata use it too.
 */
public final class EventSerialization {
  private EventSerialization() {}

  public static Serializer newSerializer() {
    return JacksonSerializer.builder()
        .objectMapper(EventJson.newMapper())
        .revisionResolver(new ContractRevisionResolver())
        .build();
  }

  /** The revision of an event class is its contract schema version; other types have none. */
  static final class ContractRevisionResolver implements RevisionResolver {
    @Override
    public String revisionOf(Class<?> payloadType) {
      if (CommentEvent.class.isAssignableFrom(payloadType)) {
        return String.valueOf(EventTypes.of(payloadType).version());
      }
      return null;
    }
  }
}
