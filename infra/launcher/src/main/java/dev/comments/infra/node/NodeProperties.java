package dev.comments.infra.node;

import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every setting of a node, under {@code comments.*}; {@code infra/config/node.example.yaml}
 * documents each one. Checked at start, so that a bad value stops the node with a message instead
 * of surfacing as a failure later.
 */
@ConfigurationProperties("comments")
public record NodeProperties(
    @DefaultValue Node node,
    @DefaultValue Http http,
    Mongo mongo,
    Kafka kafka,
    @DefaultValue Publisher publisher,
    @DefaultValue Rules rules,
    Sessions sessions,
    @DefaultValue Consistency consistency,
    @DefaultValue Limits limits,
    Map<String, Tenant> tenants) {

  public NodeProperties {
    Objects.requireNonNull(node, "comments.node");
    Objects.requireNonNull(mongo, "comments.mongo");
    Objects.requireNonNull(kafka, "comments.kafka");
    Objects.requireNonNull(sessions, "comments.sessions");
    if (mongo.regionTag() == null || mongo.regionTag().isBlank()) {
      // Unset, the replica set members are taken to be tagged with the node's own region.
      mongo = mongo.withRegionTag(node.region());
    }
    if (tenants == null || tenants.isEmpty()) {
      throw new IllegalArgumentException("comments.tenants must name at least one tenant");
    }
  }

  /**
   * Who this node is and what it does.
   *
   * @param role {@code primary} (runs commands; one per deployment) or {@code replica} (forwards
   *     them to {@code primary-url})
   * @param primaryUrl a replica's way to the primary's edge, e.g. {@code http://10.0.0.1:8080}
   * @param primaryTimeout how long a replica waits for the primary before answering {@code 503
   *     primary_unavailable}
   */
  public record Node(
      @DefaultValue("node-1") String id,
      @DefaultValue("local") String region,
      @DefaultValue("primary") String role,
      String primaryUrl,
      @DefaultValue("5s") Duration primaryTimeout) {
    public Node {
      if (!role.equals("primary") && !role.equals("replica")) {
        throw new IllegalArgumentException(
            "comments.node.role must be primary or replica, not " + role);
      }
      if (role.equals("replica") && (primaryUrl == null || primaryUrl.isBlank())) {
        throw new IllegalArgumentException("a replica needs comments.node.primary-url");
      }
      if (role.equals("replica")) {
        URI url = URI.create(primaryUrl);
        if (!"http".equals(url.getScheme()) || url.getHost() == null) {
          throw new IllegalArgumentException(
              "comments.node.primary-url must be an http:// URL, not " + primaryUrl);
        }
      }
    }

    public boolean primary() {
      return role.equals("primary");
    }
  }

  public record Http(
      @DefaultValue("127.0.0.1") String host,
      @DefaultValue("8080") int port,
      @DefaultValue("65536") int maxBodyBytes,
      @DefaultValue("2") int ioThreads,
      @DefaultValue("64") int workerThreads,
      @DefaultValue("10s") Duration bodyTimeout) {}

  /**
   * Where the node's MongoDB is and how it reads it.
   *
   * @param regionTag the value of the {@code region} tag of the replica set members that {@code
   *     nearest} reads prefer; unset, the node's region
   */
  public record Mongo(
      String uri,
      @DefaultValue(DEFAULT_COMMAND_DATABASE) String commandDatabase,
      @DefaultValue("comments_query") String queryDatabase,
      String regionTag) {
    public static final String DEFAULT_COMMAND_DATABASE = "comments_events";

    public Mongo {
      if (uri == null || uri.isBlank()) {
        throw new IllegalArgumentException("comments.mongo.uri is required");
      }
    }

    Mongo withRegionTag(String tag) {
      return new Mongo(uri, commandDatabase, queryDatabase, tag);
    }
  }

  public record Kafka(
      String bootstrapServers,
      @DefaultValue("comments.events") String topic,
      @DefaultValue("12") int partitions,
      @DefaultValue("1") short replicationFactor) {
    public Kafka {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("comments.kafka.bootstrap-servers is required");
      }
    }
  }

  public record Publisher(@DefaultValue("true") boolean enabled) {}

  public record Rules(
      @DefaultValue("5") int maxReplyDepth, @DefaultValue("15m") Duration editWindow) {}

  public record Sessions(String secret, @DefaultValue("30d") Duration ttl) {
    public Sessions {
      if (secret == null || secret.isBlank()) {
        throw new IllegalArgumentException(
            "comments.sessions.secret is required: at least 32 random bytes, base64-encoded");
      }
      decode(secret);
    }

    public byte[] secretBytes() {
      return decode(secret);
    }

    @Override
    public String toString() {
      return "Sessions[secret=(hidden), ttl=" + ttl + "]";
    }

    private static byte[] decode(String secret) {
      byte[] key;
      try {
        key = Base64.getDecoder().decode(secret.strip());
      } catch (IllegalArgumentException e) {
        // No cause: Spring Boot reports the root cause, and this message names the setting.
        throw new IllegalArgumentException(
            "comments.sessions.secret is not base64 (" + e.getMessage() + ")");
      }
      if (key.length < 32) {
        throw new IllegalArgumentException(
            "comments.sessions.secret must hold at least 32 bytes, has " + key.length);
      }
      return key;
    }
  }

  public record Consistency(@DefaultValue("2s") Duration maxWait) {}

  /**
   * The limits against abuse (docs/api.md has the table).
   *
   * @param enabled {@code false} turns every limit of every tenant off ({@code --rate-limits off})
   */
  public record Limits(@DefaultValue("true") boolean enabled) {}

  /**
   * @param limits this tenant's limits by name ({@code posts-per-session: 20/10m}); each one not
   *     named has its default
   */
  public record Tenant(String moderatorKey, Map<String, String> limits) {
    public Tenant {
      limits = limits == null ? Map.of() : Map.copyOf(limits);
    }

    @Override
    public String toString() {
      return "Tenant[moderatorKey=(hidden), limits=" + limits + "]";
    }
  }
}
