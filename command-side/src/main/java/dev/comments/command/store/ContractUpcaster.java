package dev.comments.command.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.events.codec.EventTypes;
import dev.comments.events.codec.Upcasters;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;

/**
 * Lets Axon read events stored at an older schema version by running the contract's own {@link
 * Upcasters} on them, so an event upcast on its way out of the store is exactly the event a
 * consumer would get by upcasting the old version from the log.
 */
public final class ContractUpcaster extends SingleEventUpcaster {
  private static final Map<String, EventTypes.EventType> BY_JAVA_NAME =
      EventTypes.all().stream()
          .collect(Collectors.toUnmodifiableMap(t -> t.javaType().getName(), Function.identity()));

  @Override
  protected boolean canUpcast(IntermediateEventRepresentation representation) {
    return typeOf(representation)
        .map(type -> storedVersion(representation) < type.version())
        .orElse(false);
  }

  @Override
  protected IntermediateEventRepresentation doUpcast(
      IntermediateEventRepresentation representation) {
    EventTypes.EventType type = typeOf(representation).orElseThrow();
    int from = storedVersion(representation);
    return representation.upcastPayload(
        new SimpleSerializedType(type.javaType().getName(), String.valueOf(type.version())),
        JsonNode.class,
        payload -> Upcasters.toCurrent(type.name(), from, (ObjectNode) payload));
  }

  private static Optional<EventTypes.EventType> typeOf(
      IntermediateEventRepresentation representation) {
    return Optional.ofNullable(BY_JAVA_NAME.get(representation.getType().getName()));
  }

  /** An event stored without a revision predates versioning: it is version 1. */
  private static int storedVersion(IntermediateEventRepresentation representation) {
    String revision = representation.getType().getRevision();
    return revision == null ? 1 : Integer.parseInt(revision);
  }
}
