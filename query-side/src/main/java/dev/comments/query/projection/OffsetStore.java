package dev.comments.query.projection;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.ReplaceOptions;
import dev.comments.events.ReadPreference;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;

/**
 * Where this node has consumed the log to, one document per topic partition in {@code
 * projection_offsets}, in the same database as the projections so that both are lost or kept
 * together. An offset here is the next record to read. Every document is keyed by the node's id
 * too, so that two nodes can never move each other's positions, even pointed at one database (which
 * {@link DatabaseOwner} refuses anyway).
 */
public final class OffsetStore {
  public static final String COLLECTION = "projection_offsets";

  private final MongoCollection<Document> offsets;
  private final String nodeId;
  private final Clock clock;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;

  public OffsetStore(MongoCollection<Document> offsets, String nodeId, Clock clock) {
    this(offsets, nodeId, clock, Stores.UNTAGGED);
  }

  /** With the node's mapping of read preferences to the driver's (region tags). */
  public OffsetStore(
      MongoCollection<Document> offsets,
      String nodeId,
      Clock clock,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this.offsets = offsets;
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.clock = clock;
    this.readPreferences = readPreferences;
  }

  /** The stored next offset of every partition of {@code topic} that has one. */
  public Map<TopicPartition, Long> load(String topic, ReadPreference readPreference) {
    Map<TopicPartition, Long> loaded = new HashMap<>();
    for (Document doc :
        offsets
            .withReadPreference(readPreferences.apply(readPreference))
            .find(and(eq("node", nodeId), eq("topic", topic)))) {
      loaded.put(
          new TopicPartition(topic, doc.getInteger("partition")),
          doc.get("offset", Number.class).longValue());
    }
    return loaded;
  }

  /** Stores the next offset to read of each given partition; writes go to the primary. */
  public void store(Map<TopicPartition, Long> nextOffsets) {
    Date now = Date.from(clock.instant());
    nextOffsets.forEach(
        (partition, offset) ->
            offsets.replaceOne(
                eq("_id", idOf(partition)),
                new Document("_id", idOf(partition))
                    .append("node", nodeId)
                    .append("topic", partition.topic())
                    .append("partition", partition.partition())
                    .append("offset", offset)
                    .append("storedAt", now),
                new ReplaceOptions().upsert(true)));
  }

  /**
   * When every event the log held had last been applied to these projections, as {@link
   * #storeCaughtUpAt} stored it for {@code topic}: the staleness bound a restarted node starts
   * from.
   */
  public Optional<Instant> caughtUpAt(String topic, ReadPreference readPreference) {
    Document doc =
        offsets
            .withReadPreference(readPreferences.apply(readPreference))
            .find(eq("_id", caughtUpIdOf(topic)))
            .first();
    return Optional.ofNullable(doc).map(d -> d.getDate("caughtUpAt").toInstant());
  }

  /**
   * Stores that every event the log held at {@code at} has been applied. The document has no {@code
   * topic} field, so {@link #load} does not take it for a partition's position.
   */
  public void storeCaughtUpAt(String topic, Instant at) {
    offsets.replaceOne(
        eq("_id", caughtUpIdOf(topic)),
        new Document("_id", caughtUpIdOf(topic))
            .append("node", nodeId)
            .append("caughtUpAt", Date.from(at)),
        new ReplaceOptions().upsert(true));
  }

  /**
   * Forgets this node's positions and stored staleness bound, so the next consumer starts from the
   * beginning of the log and does not know how stale the projection is until it has caught up.
   */
  public void reset() {
    offsets.deleteMany(eq("node", nodeId));
  }

  private String caughtUpIdOf(String topic) {
    return nodeId + "/caught-up:" + topic;
  }

  private String idOf(TopicPartition partition) {
    return nodeId + "/" + partition.topic() + "-" + partition.partition();
  }
}
