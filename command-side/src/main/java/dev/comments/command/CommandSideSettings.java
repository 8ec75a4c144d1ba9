package dev.comments.command;

import dev.comments.events.moderation.ModerationPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the command side needs to know besides its MongoDB client.
 *
 * @param database the MongoDB database holding the event store, its streams' marks and the comment
 *     locator
 * @param kafkaBootstrapServers where the event log lives, e.g. {@code 127.0.0.1:9092}
 * @param topic the event log topic; created at start if missing
 * @param topicPartitions partitions of a newly created topic (a thread always maps to one)
 * @param replicationFactor replication factor of a newly created topic
 * @param maxReplyDepth the deepest level a comment may sit at; a top-level comment is level 1
 * @param editWindow how long after posting its author may edit a comment
 * @param publisherEnabled whether this node puts stored events on Kafka; off only for nodes (and
 *     tests) that must store without publishing
 * @param moderation each tenant's pre-moderation and flag threshold; a tenant not named has {@link
 *     ModerationPolicy#DEFAULTS}
 * @param pipelinedAppends whether the appends of a thread that other commands wait for are
 *     pipelined (store.DurableAppends): only on a store whose durable state is a prefix of what it
 *     applied, the embedded one; never on a MongoDB replica set, where a failover can roll back an
 *     unjournaled write that a later barrier says nothing about
 */
public record CommandSideSettings(
    String database,
    String kafkaBootstrapServers,
    String topic,
    int topicPartitions,
    short replicationFactor,
    int maxReplyDepth,
    Duration editWindow,
    boolean publisherEnabled,
    Map<String, ModerationPolicy> moderation,
    boolean pipelinedAppends) {

  public static final String DEFAULT_TOPIC = "comments.events";

  public CommandSideSettings {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(editWindow, "editWindow");
    moderation = Map.copyOf(moderation);
    if (topicPartitions < 1) {
      throw new IllegalArgumentException("topicPartitions must be at least 1: " + topicPartitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replicationFactor must be at least 1: " + replicationFactor);
    }
  }

  public CommandSideSettings withModeration(Map<String, ModerationPolicy> policies) {
    return new CommandSideSettings(
        database,
        kafkaBootstrapServers,
        topic,
        topicPartitions,
        replicationFactor,
        maxReplyDepth,
        editWindow,
        publisherEnabled,
        policies,
        pipelinedAppends);
  }

  /**
   * Topic {@value #DEFAULT_TOPIC} with 12 partitions and replication factor 1, replies five levels
   * deep, a 15-minute edit window, publishing on, every tenant moderated by {@link
   * ModerationPolicy#DEFAULTS}, every append journaled (not pipelined).
   */
  public static CommandSideSettings defaults(String database, String kafkaBootstrapServers) {
    return new CommandSideSettings(
        database,
        kafkaBootstrapServers,
        DEFAULT_TOPIC,
        12,
        (short) 1,
        5,
        Duration.ofMinutes(15),
        true,
        Map.of(),
        false);
  }

  public CommandSideSettings withTopic(String newTopic) {
    return new CommandSideSettings(
        database,
        kafkaBootstrapServers,
        newTopic,
        topicPartitions,
        replicationFactor,
        maxReplyDepth,
        editWindow,
        publisherEnabled,
        moderation,
        pipelinedAppends);
  }

  public CommandSideSettings withPublisherEnabled(boolean enabled) {
    return new CommandSideSettings(
        database,
        kafkaBootstrapServers,
        topic,
        topicPartitions,
        replicationFactor,
        maxReplyDepth,
        editWindow,
        enabled,
        moderation,
        pipelinedAppends);
  }

  public CommandSideSettings withPipelinedAppends(boolean pipelined) {
    return new CommandSideSettings(
        database,
        kafkaBootstrapServers,
        topic,
        topicPartitions,
        replicationFactor,
        maxReplyDepth,
        editWindow,
        publisherEnabled,
        moderation,
        pipelined);
  }
}
