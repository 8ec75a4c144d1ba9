package dev.comments.query;

import java.util.Objects;

/**
 * What a node's query side needs to run.
 *
 * @param database the MongoDB database of this node's projections and consumed offsets; one per
 *     node ({@link #databaseFor}), which the node claims at start
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
  /** The prefix of a node's projection database; the node's id follows. */
  public static final String DATABASE_PREFIX = "comments_query_";

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

  /** The node's own database and the default topic, for the given cluster and node. */
  public static QuerySideSettings defaults(String kafkaBootstrapServers, String nodeId) {
    return new QuerySideSettings(databaseFor(nodeId), kafkaBootstrapServers, DEFAULT_TOPIC, nodeId);
  }

  /**
   * The projection database of a node: {@value #DATABASE_PREFIX} and its id, with every character
   * MongoDB does not allow in a database name (and any other than letters, digits, {@code -} and
   * {@code _}) replaced by {@code _}, so that two nodes never share one by default.
   */
  public static String databaseFor(String nodeId) {
    requireText(nodeId, "nodeId");
    String name = DATABASE_PREFIX + nodeId.replaceAll("[^A-Za-z0-9_-]", "_");
    if (name.length() > 63) {
      throw new IllegalArgumentException(
          "node id too long for a database name (at most "
              + (63 - DATABASE_PREFIX.length())
              + " characters): "
              + nodeId);
    }
    return name;
  }

  private static void requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }
}
