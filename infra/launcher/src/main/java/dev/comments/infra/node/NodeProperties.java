package dev.comments.infra.node;

import dev.comments.edge.TenantModeration;
import dev.comments.edge.TenantSettings;
import dev.comments.edge.live.LiveLimits;
import dev.comments.edge.security.Placeholders;
import dev.comments.edge.tls.TlsSettings;
import dev.comments.edge.widget.AllowedOrigins;
import dev.comments.events.moderation.ModerationPolicy;
import dev.comments.query.QuerySideSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
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
    @DefaultValue Sessions sessions,
    @DefaultValue Consistency consistency,
    @DefaultValue Cluster cluster,
    @DefaultValue Limits limits,
    @DefaultValue Live live,
    @DefaultValue Mesh mesh,
    @DefaultValue Dns dns,
    Map<String, Tenant> tenants,
    @DefaultValue Cdn cdn,
    @DefaultValue Tls tls,
    @DefaultValue EventStore eventStore) {

  public NodeProperties {
    Objects.requireNonNull(node, "comments.node");
    Objects.requireNonNull(mongo, "comments.mongo");
    Objects.requireNonNull(kafka, "comments.kafka");
    if (mongo.regionTag() == null || mongo.regionTag().isBlank()) {
      // Unset, the replica set members are taken to be tagged with the node's own region.
      mongo = mongo.withRegionTag(node.region());
    }
    if (mongo.queryDatabase() == null || mongo.queryDatabase().isBlank()) {
      // Unset, the projections live in a database named after the node: never shared by default.
      mongo = mongo.withQueryDatabase(QuerySideSettings.databaseFor(node.id()));
    }
    if (tenants == null || tenants.isEmpty()) {
      throw new IllegalArgumentException("comments.tenants must name at least one tenant");
    }
    refuseUnusableSecrets(sessions, consistency, cluster, tenants);
    tenants.forEach(
        (tenant, settings) -> {
          if (settings != null) {
            settings.origins(tenant);
          }
        });
  }

  /**
   * Every secret and key at once, each problem naming its setting: a placeholder ({@code
   * CHANGE-ME…}, in any case), a missing, short or malformed secret, or one reused for another
   * purpose stops the node before it serves anything signed with it.
   */
  private static void refuseUnusableSecrets(
      Sessions sessions, Consistency consistency, Cluster cluster, Map<String, Tenant> tenants) {
    List<String> problems = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    KeySettings.check("comments.sessions.keys", sessions.keys(), problems, seen);
    KeySettings.check("comments.consistency.keys", consistency.keys(), problems, seen);
    KeySettings.check("comments.cluster.keys", cluster.keys(), problems, seen);
    new TreeMap<>(tenants)
        .forEach((tenant, settings) -> problems.addAll(Tenant.problems(tenant, settings)));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "refusing to start with unusable secrets:\n  - " + String.join("\n  - ", problems));
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
        if (!Tls.isWebUrl(url)) {
          throw new IllegalArgumentException(
              "comments.node.primary-url must be an http:// or https:// URL, not " + primaryUrl);
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
   * The media CDN and uploads.
   *
   * @param cacheDir the on-disk cache; unset, {@code <java.io.tmpdir>/comments-cdn/<node id>}
   * @param cacheBytes the cache's byte budget (least recently used items go beyond it)
   * @param maxUploadBytes the largest upload taken
   * @param maxSide the largest width or height an uploaded image may have
   * @param maxPixels the largest width × height
   */
  public record Cdn(
      String cacheDir,
      @DefaultValue("1073741824") long cacheBytes,
      @DefaultValue("10485760") long maxUploadBytes,
      @DefaultValue("16384") int maxSide,
      @DefaultValue("50000000") long maxPixels) {
    public Cdn {
      if (cacheBytes < 1 || maxUploadBytes < 1 || maxSide < 1 || maxPixels < 1) {
        throw new IllegalArgumentException("comments.cdn.* sizes must be positive");
      }
    }

    public Path cacheDirOf(String nodeId) {
      return cacheDir == null || cacheDir.isBlank()
          ? Path.of(System.getProperty("java.io.tmpdir"), "comments-cdn", nodeId)
          : Path.of(cacheDir);
    }
  }

  /** What live readers are granted: see {@link LiveLimits} and docs/live.md. */
  public record Live(
      @DefaultValue("100") int connectionsPerAddress,
      @DefaultValue("16") int subscriptionsPerConnection,
      @DefaultValue("256") int queuedMessages,
      @DefaultValue("10s") Duration behindTimeout,
      @DefaultValue("25s") Duration pingInterval,
      @DefaultValue("60s") Duration idleTimeout,
      @DefaultValue("1s") Duration presenceInterval,
      @DefaultValue("4096") int maxFrameBytes) {
    public LiveLimits toLimits() {
      return new LiveLimits(
          connectionsPerAddress,
          subscriptionsPerConnection,
          queuedMessages,
          behindTimeout,
          pingInterval,
          idleTimeout,
          presenceInterval,
          maxFrameBytes);
    }
  }

  /**
   * Where the node's MongoDB is and how it reads it.
   *
   * @param queryDatabase this node's projections; unset, {@code comments_query_<node id>}
   * @param regionTag the value of the {@code region} tag of the replica set members that {@code
   *     nearest} reads prefer; unset, the node's region
   */
  public record Mongo(
      String uri,
      @DefaultValue(DEFAULT_COMMAND_DATABASE) String commandDatabase,
      String queryDatabase,
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

    Mongo withQueryDatabase(String database) {
      return new Mongo(uri, commandDatabase, database, regionTag);
    }
  }

  /**
   * The event log.
   *
   * @param replicationFactor copies of each partition of a topic created at start; 3 in production,
   *     so that the log survives the loss of a broker (the dev broker has one node and sets 1)
   */
  public record Kafka(
      String bootstrapServers,
      @DefaultValue("comments.events") String topic,
      @DefaultValue("12") int partitions,
      @DefaultValue("3") short replicationFactor) {
    public Kafka {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("comments.kafka.bootstrap-servers is required");
      }
    }
  }

  /**
   * This node in the mesh of heartbeats (docs/geodns.md).
   *
   * @param deployment the data-residency boundary its DNS zones answer for
   * @param latitude where the node is; DNS ranks nodes by distance from the client
   * @param addresses the node's public IP literals, the ones clients are sent to; unset, {@code
   *     comments.http.host}
   * @param peers the other nodes' edges ({@code https://host:port} with TLS), whom heartbeats go to
   * @param downAfter a peer without a heartbeat for longer is down
   * @param canaryShare 0, or for a canary node the share (0..1, e.g. 0.1) of its region's DNS
   *     answers it takes
   */
  public record Mesh(
      @DefaultValue("global") String deployment,
      @DefaultValue("0") double latitude,
      @DefaultValue("0") double longitude,
      List<String> addresses,
      List<String> peers,
      @DefaultValue("1s") Duration heartbeatInterval,
      @DefaultValue("5s") Duration downAfter,
      @DefaultValue("0") double canaryShare) {
    public Mesh {
      addresses = addresses == null ? List.of() : List.copyOf(addresses);
      peers = peers == null ? List.of() : List.copyOf(peers);
      for (String peer : peers) {
        URI url = URI.create(peer);
        if (!Tls.isWebUrl(url)) {
          throw new IllegalArgumentException(
              "comments.mesh.peers must be http:// or https:// URLs, not " + peer);
        }
      }
    }
  }

  /**
   * The DNS server embedded in the node (docs/geodns.md), fed by this node's mesh.
   *
   * @param enabled off by default: {@code comments dev} and {@code comments cluster} turn it on
   * @param database the MaxMind City or Country database; unset, the MaxMind test database the
   *     launcher ships (for dev only: it knows a handful of networks)
   * @param zone the zone (deployment {@code comments.mesh.deployment}), whose {@code edge.} name is
   *     answered
   * @param udpThreads threads (each with its own socket) answering UDP; 0, one per core
   * @param udpBatch the most datagrams one system call moves (recvmmsg/sendmmsg, which need {@code
   *     --enable-native-access=ALL-UNNAMED}); 1, one per call through the JDK's channel
   */
  public record Dns(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("127.0.0.1") String host,
      @DefaultValue("5353") int port,
      String database,
      @DefaultValue("comments.test.") String zone,
      @DefaultValue("30s") Duration ttl,
      @DefaultValue("0") int udpThreads,
      @DefaultValue("32") int udpBatch) {
    public Dns {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("comments.dns.port must be 0..65535, not " + port);
      }
      if (udpThreads < 0 || udpThreads > 256) {
        throw new IllegalArgumentException(
            "comments.dns.udp-threads must be 0..256 (0: one per core), not " + udpThreads);
      }
      if (udpBatch < 1 || udpBatch > 1024) {
        throw new IllegalArgumentException(
            "comments.dns.udp-batch must be 1..1024, not " + udpBatch);
      }
      if (!zone.endsWith(".")) {
        throw new IllegalArgumentException("comments.dns.zone must end in a dot: " + zone);
      }
    }
  }

  /**
   * The node's TLS (docs/operations.md#tls): an HTTPS listener with HTTP/2 and HTTP/1.1, and the
   * TLS of its calls to other nodes ({@code https://} peers and primary).
   *
   * @param enabled off by default; {@code comments dev} and {@code comments cluster} turn it on
   *     with certificates they make
   * @param certificate the certificate chain, PEM, leaf first; reloaded when it changes
   * @param privateKey its private key, PEM, unencrypted; reloaded when it changes
   * @param trustedCertificates the deployment's CA certificates, PEM: what calls to other nodes and
   *     client certificates are checked against; unset, the JDK's trust store
   * @param clientAuth {@code none}, {@code want} or {@code require}: whether callers must show a
   *     certificate the deployment trusts (mutual TLS)
   * @param redirectHttp whether the plain HTTP port redirects to HTTPS (health checks excepted)
   * @param hstsMaxAge the {@code Strict-Transport-Security} max-age of HTTPS answers; 0 for none
   * @param reloadInterval how often the PEM files are checked for a change
   * @param engine the HTTPS listener's TLS implementation: {@code auto} (the native one, BoringSSL,
   *     when it loads here, else the JDK's with a warning saying why), {@code native} (the node
   *     does not start without it) or {@code jdk}
   */
  public record Tls(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("8443") int port,
      String certificate,
      String privateKey,
      String trustedCertificates,
      @DefaultValue("none") String clientAuth,
      @DefaultValue("true") boolean redirectHttp,
      @DefaultValue("365d") Duration hstsMaxAge,
      @DefaultValue("10s") Duration reloadInterval,
      @DefaultValue("auto") String engine) {
    public Tls {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("comments.tls.port must be 0..65535, not " + port);
      }
      if (!List.of("none", "want", "require").contains(clientAuth)) {
        throw new IllegalArgumentException(
            "comments.tls.client-auth must be none, want or require, not " + clientAuth);
      }
      if (!List.of("auto", "native", "jdk").contains(engine)) {
        throw new IllegalArgumentException(
            "comments.tls.engine must be auto, native or jdk, not " + engine);
      }
      if (enabled && (blank(certificate) || blank(privateKey))) {
        throw new IllegalArgumentException(
            "comments.tls.enabled needs comments.tls.certificate and comments.tls.private-key"
                + " (PEM files)");
      }
      if (enabled && !clientAuth.equals("none") && blank(trustedCertificates)) {
        throw new IllegalArgumentException(
            "comments.tls.client-auth="
                + clientAuth
                + " needs comments.tls.trusted-certificates (the deployment's CA, PEM)");
      }
    }

    private static boolean blank(String value) {
      return value == null || value.isBlank();
    }

    static boolean isWebUrl(URI url) {
      return ("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
          && url.getHost() != null;
    }

    /** The edge's settings; {@link TlsSettings#NONE} when off. */
    public TlsSettings toSettings() {
      if (!enabled) {
        return TlsSettings.NONE;
      }
      return new TlsSettings(
          true,
          port,
          Path.of(certificate),
          Path.of(privateKey),
          blank(trustedCertificates) ? Optional.empty() : Optional.of(Path.of(trustedCertificates)),
          TlsSettings.ClientAuth.valueOf(clientAuth.toUpperCase(Locale.ROOT)),
          redirectHttp,
          hstsMaxAge,
          reloadInterval,
          TlsSettings.Engine.valueOf(engine.toUpperCase(Locale.ROOT)));
    }
  }

  public record Publisher(@DefaultValue("true") boolean enabled) {}

  /**
   * How the primary appends to its event store.
   *
   * @param pipelinedAppends whether the appends of a thread that other commands wait for are
   *     pipelined: made without waiting for the journal, each command answered after a barrier
   *     shared by all of them. Only for a store whose durable state is a prefix of the writes it
   *     applied, the embedded one (on by default in {@code comments dev} and {@code comments
   *     cluster}); never on a MongoDB replica set, where a failover can roll back an unjournaled
   *     write that a later barrier says nothing about (docs/architecture.md).
   */
  public record EventStore(@DefaultValue("false") boolean pipelinedAppends) {}

  public record Rules(
      @DefaultValue("5") int maxReplyDepth, @DefaultValue("15m") Duration editWindow) {}

  /**
   * @param keys signs session tokens ({@code comments.sessions.keys})
   * @param ttl how long a session token is valid; a revocation is kept as long
   */
  public record Sessions(KeySettings keys, @DefaultValue("30d") Duration ttl) {}

  /**
   * @param maxWait how long a read waits for the projection to reach a token or the primary
   * @param keys signs consistency tokens ({@code comments.consistency.keys})
   */
  public record Consistency(@DefaultValue("2s") Duration maxWait, KeySettings keys) {}

  /**
   * @param keys what nodes show each other on internal routes ({@code comments.cluster.keys})
   */
  public record Cluster(KeySettings keys) {}

  /**
   * The limits against abuse (docs/api.md has the table).
   *
   * @param enabled {@code false} turns every limit of every tenant off ({@code --rate-limits off})
   */
  public record Limits(@DefaultValue("true") boolean enabled) {}

  /**
   * @param limits this tenant's limits by name ({@code posts-per-session: 20/10m}); each one not
   *     named has its default
   * @param allowedOrigins the origins whose pages may call the tenant's API from a browser (CORS),
   *     e.g. {@code https://news.example} or {@code http://localhost:*}; none by default
   * @param moderatorKey the shared moderator key: deprecated, an admin credential for one release
   *     (docs/operations.md says how to move to {@code moderation.admin-key})
   * @param moderation the admin key, pre-moderation and the flag threshold
   */
  public record Tenant(
      String moderatorKey,
      Map<String, String> limits,
      List<String> allowedOrigins,
      Moderation moderation) {
    public Tenant {
      limits = limits == null ? Map.of() : Map.copyOf(limits);
      allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
      moderation = moderation == null ? new Moderation(null, "none", null) : moderation;
    }

    /** The tenant's moderation, parsed; a bad value stops the node, naming the setting. */
    public TenantModeration toModeration(String tenant) {
      return new TenantModeration(moderation.adminKey(), moderation.policy(tenant));
    }

    static List<String> problems(String tenant, Tenant settings) {
      String prefix = "comments.tenants." + tenant + ".";
      String shared = settings == null ? null : settings.moderatorKey();
      String admin = settings == null ? null : settings.moderation().adminKey();
      List<String> problems = new ArrayList<>();
      if (shared == null && admin == null) {
        problems.add(prefix + "moderation.admin-key is required (" + KeySettings.GENERATE + ")");
        return problems;
      }
      if (shared != null) {
        problem(prefix + "moderator-key", shared).ifPresent(problems::add);
      }
      if (admin != null) {
        problem(prefix + "moderation.admin-key", admin).ifPresent(problems::add);
      }
      if (settings.moderation() != null) {
        try {
          settings.moderation().policy(tenant);
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage());
        }
      }
      return problems;
    }

    /** The origins parsed; a value that is not an origin stops the node, naming the setting. */
    public AllowedOrigins origins(String tenant) {
      try {
        return AllowedOrigins.of(allowedOrigins);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "comments.tenants." + tenant + ".allowed-origins: " + e.getMessage(), e);
      }
    }

    private static Optional<String> problem(String setting, String key) {
      if (key.isBlank()) {
        return Optional.of(setting + " is required (" + KeySettings.GENERATE + ")");
      }
      if (Placeholders.isPlaceholder(key)) {
        return Optional.of(
            setting + " still holds the placeholder 'CHANGE-ME…' (" + KeySettings.GENERATE + ")");
      }
      if (key.length() < TenantSettings.MIN_MODERATOR_KEY_LENGTH || !key.strip().equals(key)) {
        return Optional.of(
            setting
                + " must be at least "
                + TenantSettings.MIN_MODERATOR_KEY_LENGTH
                + " characters without surrounding spaces ("
                + KeySettings.GENERATE
                + ")");
      }
      return Optional.empty();
    }

    @Override
    public String toString() {
      return "Tenant[moderatorKey=(hidden), limits="
          + limits
          + ", allowedOrigins="
          + allowedOrigins
          + ", moderation="
          + moderation
          + "]";
    }
  }

  /**
   * A tenant's moderation ({@code comments.tenants.<tenant>.moderation.*}).
   *
   * @param adminKey the tenant admin key: appoints, lists and dismisses moderators
   * @param preModeration {@code none} (default), {@code all} or {@code first} (an author's comments
   *     wait until a moderator approved one of theirs in the thread)
   * @param flagThreshold flags that hide a comment until a moderator decides; 0 never; unset, 5
   */
  public record Moderation(String adminKey, String preModeration, Integer flagThreshold) {
    ModerationPolicy policy(String tenant) {
      String prefix = "comments.tenants." + tenant + ".moderation.";
      ModerationPolicy.PreModeration mode;
      try {
        mode = ModerationPolicy.PreModeration.of(preModeration == null ? "none" : preModeration);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(prefix + "pre-moderation: " + e.getMessage(), e);
      }
      int threshold =
          flagThreshold == null ? ModerationPolicy.DEFAULT_FLAG_THRESHOLD : flagThreshold;
      if (threshold < 0) {
        throw new IllegalArgumentException(
            prefix + "flag-threshold must be 0 (never) or more, not " + threshold);
      }
      return new ModerationPolicy(mode, threshold);
    }

    @Override
    public String toString() {
      return "Moderation[adminKey=(hidden), preModeration="
          + preModeration
          + ", flagThreshold="
          + flagThreshold
          + "]";
    }
  }
}
