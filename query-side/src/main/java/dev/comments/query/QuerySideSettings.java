package dev.comments.query;

import java.util.Objects;

/**
 * What a node's query side needs to run.
 *
 * @param database the MongoDB database of this node's projections and consumed offsets
 * @param kafkaBootstrapServers the Kafka cluster holding the event log
 * @param topic the event log's topic
 * @param nodeId this node's name, used in the Kafka client id and thread names
 * @param readModelBytes how many heap bytes the read model of active threads may hold
 */
public record QuerySideSettings(
    String database,
    String kafkaBootstrapServers,
    String topic,
    String nodeId,
    long readModelBytes) {
  public static final String DEFAULT_DATABASE = "comments_query";
  public static final String DEFAULT_TOPIC = "comments.events";
  public static final long DEFAULT_READ_MODEL_BYTES = 256L * 1024 * 1024;
  public static final long MIN_READ_MODEL_BYTES = 64L * 1024;

  public QuerySideSettings {
    requireText(database, "database");
    requireText(kafkaBootstrapServers, "kafkaBootstrapServers");
    requireText(topic, "topic");
    requireText(nodeId, "nodeId");
    if (readModelBytes < MIN_READ_MODEL_BYTES) {
      throw new IllegalArgumentException("readModelBytes must be at least " + MIN_READ_MODEL_BYTES);
    }
  }

  /** With the default bound of the read model. */
  public QuerySideSettings(
      String database, String kafkaBootstrapServers, String topic, String nodeId) {
    this(database, kafkaBootstrapServers, topic, nodeId, DEFAULT_READ_MODEL_BYTES);
  }

  /** The default database and topic, for the given cluster and node. */
  public static QuerySideSettings defaults(String kafkaBootstrapServers, String nodeId) {
    return new QuerySideSettings(DEFAULT_DATABASE, kafkaBootstrapServers, DEFAULT_TOPIC, nodeId);
  }

  private static void requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }
}
