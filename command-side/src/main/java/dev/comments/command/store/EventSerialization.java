package dev.comments.command.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.comments.command.thread.CommentThread;
import dev.comments.command.thread.ThreadSnapshot;
import dev.comments.events.LoggedEvent;
import dev.comments.events.codec.EventJson;
import dev.comments.events.codec.EventTypes;
import java.io.IOException;
import org.axonframework.eventsourcing.snapshotting.SnapshotFilter;
import org.axonframework.serialization.RevisionResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * The one serializer of the command side: event payloads are stored as the same JSON that travels
 * on Kafka (the contract's mapper), tagged with the contract's schema version as Axon's revision,
 * so that the store and the log share one set of upcasters. Tokens, metadata and the thread
 * snapshots use it too; a snapshot is the thread's {@link ThreadSnapshot}, tagged with its {@link
 * ThreadSnapshot#REVISION}.
 */
public final class EventSerialization {
  private EventSerialization() {}

  public static Serializer newSerializer() {
    ObjectMapper mapper = EventJson.newMapper();
    mapper.registerModule(
        new SimpleModule("thread-snapshots")
            .addSerializer(CommentThread.class, new SnapshotWriter())
            .addDeserializer(CommentThread.class, new SnapshotReader()));
    return JacksonSerializer.builder()
        .objectMapper(mapper)
        .revisionResolver(new ContractRevisionResolver())
        .build();
  }

  /**
   * Lets through only snapshots of the current shape: an older one would rebuild a thread missing
   * what it has learned to remember since, so the thread is replayed from its events instead.
   */
  public static SnapshotFilter currentSnapshotsOnly() {
    return snapshot ->
        !CommentThread.class.getName().equals(snapshot.getPayload().getType().getName())
            || ThreadSnapshot.REVISION.equals(snapshot.getPayload().getType().getRevision());
  }

  /**
   * The revision of an event class is its contract schema version, of a thread snapshot its
   * shape's; other types have none.
   */
  static final class ContractRevisionResolver implements RevisionResolver {
    @Override
    public String revisionOf(Class<?> payloadType) {
      if (LoggedEvent.class.isAssignableFrom(payloadType)) {
        return String.valueOf(EventTypes.of(payloadType).version());
      }
      if (payloadType == CommentThread.class) {
        return ThreadSnapshot.REVISION;
      }
      return null;
    }
  }

  private static final class SnapshotWriter extends StdSerializer<CommentThread> {
    private static final long serialVersionUID = 1L;

    SnapshotWriter() {
      super(CommentThread.class);
    }

    @Override
    public void serialize(CommentThread thread, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      provider.defaultSerializeValue(thread.snapshot(), gen);
    }
  }

  private static final class SnapshotReader extends StdDeserializer<CommentThread> {
    private static final long serialVersionUID = 1L;

    SnapshotReader() {
      super(CommentThread.class);
    }

    @Override
    public CommentThread deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      return CommentThread.fromSnapshot(context.readValue(parser, ThreadSnapshot.class));
    }
  }
}
