package dev.comments.query.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.codec.EventTypes;
import dev.comments.query.AuditEntry;
import dev.comments.query.projection.Projection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps every event of the log, whatever its type, in {@link AuditStore}: idempotent, since each
 * event is one document replaced by its position.
 */
public final class AuditProjection implements Projection {
  /** Raise to make every node rebuild the audit projection when it starts. */
  public static final int VERSION = 1;

  private final AuditStore store;
  private final EventCodec codec = new EventCodec();

  public AuditProjection(AuditStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Positions the batch's bulk write holds: their {@link #apply} has nothing left to do. */
  private final Set<String> written = new HashSet<>();

  /** Writes the whole batch in one unordered bulk of upserts: one round trip, not one per event. */
  @Override
  public void prepare(List<EventEnvelope> batch) {
    written.clear();
    if (batch.isEmpty()) {
      return;
    }
    List<AuditStore.Write> writes = new ArrayList<>(batch.size());
    for (EventEnvelope envelope : batch) {
      writes.add(
          new AuditStore.Write(
              entryOf(codec, envelope),
              new String(codec.encode(envelope), StandardCharsets.UTF_8)));
    }
    store.writeAll(writes);
    for (EventEnvelope envelope : batch) {
      written.add(AuditStore.idOf(envelope.stream(), envelope.seq()));
    }
  }

  @Override
  public Outcome apply(EventEnvelope envelope) {
    if (written.remove(AuditStore.idOf(envelope.stream(), envelope.seq()))) {
      return Outcome.APPLIED;
    }
    AuditEntry entry = entryOf(codec, envelope);
    String encoded = new String(codec.encode(envelope), StandardCharsets.UTF_8);
    return store.write(entry, encoded) ? Outcome.DUPLICATE : Outcome.APPLIED;
  }

  @Override
  public void reset() {
    store.drop();
    store.createIndexes();
  }

  static AuditEntry entryOf(EventCodec codec, EventEnvelope envelope) {
    ObjectNode payload = codec.payloadOf(envelope.event());
    EventTypes.EventType type = EventTypes.of(envelope.event());
    Actors.Actor actor = Actors.of(payload);
    return new AuditEntry(
        envelope.eventId(),
        envelope.stream(),
        envelope.seq(),
        envelope.time(),
        type.name(),
        type.version(),
        actor.id(),
        actor.kind(),
        Actors.reasonOf(payload),
        payload);
  }
}
