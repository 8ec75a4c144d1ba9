package dev.comments.query;

import java.util.Objects;

/**
 * What a node's query side needs to run.
 *
 * @param database the MongoDB database of this node's projections and consumed offsets
 * @param kafkaBootstrapServers the Kafka cluster holding the event log
 * @param topic the event log's topic
 * @param nodeId this node's name, used in the Kafka client id and thread names
 */
public record QuerySideSettings(
    String database, String kafkaBootstrapServers, String topic, String nodeId) {
  public static final String DEFAULT_DATABASE = "comments_query";
  public static final String DEFAULT_TOPIC = "comments.events";

  public QuerySideSettings {
    requireText(database, "database");
    requireText(kafkaBootstrapServers, "kafkaBootstrapServers");
    requireText(topic, "topic");
    requireText(nodeId, "nodeId");
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
