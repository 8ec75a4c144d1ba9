package dev.comments.infra.node;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.comments.command.CommandSide;
import dev.comments.command.CommandSideSettings;
import dev.comments.command.media.MediaLimits;
import dev.comments.command.session.KafkaSessionRecords;
import dev.comments.edge.EdgeKeys;
import dev.comments.edge.EdgeServer;
import dev.comments.edge.EdgeSettings;
import dev.comments.edge.History;
import dev.comments.edge.NodeRole;
import dev.comments.edge.ReadSide;
import dev.comments.edge.TenantSettings;
import dev.comments.edge.abuse.RateLimits;
import dev.comments.edge.cdn.CdnSettings;
import dev.comments.edge.mesh.Heartbeats;
import dev.comments.edge.mesh.HttpHeartbeats;
import dev.comments.edge.mesh.Mesh;
import dev.comments.edge.mesh.MeshSettings;
import dev.comments.edge.tls.NodeTls;
import dev.comments.events.moderation.ModerationPolicy;
import dev.comments.geodns.GeoDnsServer;
import dev.comments.geodns.GeoDnsSettings;
import dev.comments.geodns.dns.NameServer;
import dev.comments.geodns.dns.Zone;
import dev.comments.infra.dns.DevGeoDatabase;
import dev.comments.infra.dns.MeshNodeMap;
import dev.comments.query.QuerySide;
import dev.comments.query.QuerySideSettings;
import dev.comments.query.session.SessionRecordConsumer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.xbill.DNS.Name;

/**
 * The parts of one node and how they are connected: the one place to read to see what runs in a
 * node's process. The parts talk in-process; each is closed by Spring in the reverse order of its
 * creation, so the edge stops taking requests before the sides behind it go away.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(NodeProperties.class)
public class NodeConfiguration {
  private static final Logger log = LoggerFactory.getLogger(NodeConfiguration.class);
  static final Duration REVOCATION_MARGIN = Duration.ofDays(1);
  static final Duration REVOCATIONS_LOAD_WAIT = Duration.ofSeconds(30);

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean(destroyMethod = "close")
  PrometheusMeterRegistry meterRegistry(NodeProperties properties) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry
        .config()
        .commonTags("node", properties.node().id(), "region", properties.node().region());
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  @Bean(destroyMethod = "close")
  MongoClient mongoClient(NodeProperties properties) {
    return MongoClients.create(
        MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(properties.mongo().uri()))
            .applicationName("comments-" + properties.node().id())
            .build());
  }

  /** How both sides read MongoDB: {@code nearest} prefers this node's region's members. */
  @Bean
  MongoReadPreferences mongoReadPreferences(NodeProperties properties) {
    return new MongoReadPreferences(properties.mongo().regionTag());
  }

  /** Only the primary holds the event store and runs commands; replicas forward them. */
  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(
      name = "comments.node.role",
      havingValue = "primary",
      matchIfMissing = true)
  CommandSide commandSide(
      NodeProperties properties,
      MongoClient mongo,
      MongoReadPreferences readPreferences,
      PrometheusMeterRegistry meters,
      Clock clock) {
    NodeProperties.Kafka kafka = properties.kafka();
    return CommandSide.start(
        new CommandSideSettings(
            properties.mongo().commandDatabase(),
            kafka.bootstrapServers(),
            kafka.topic(),
            kafka.partitions(),
            kafka.replicationFactor(),
            properties.rules().maxReplyDepth(),
            properties.rules().editWindow(),
            properties.publisher().enabled(),
            moderationPolicies(properties),
            properties.eventStore().pipelinedAppends()),
        mongo,
        readPreferences,
        meters,
        clock);
  }

  @Bean(destroyMethod = "close")
  QuerySide querySide(
      NodeProperties properties,
      MongoClient mongo,
      MongoReadPreferences readPreferences,
      PrometheusMeterRegistry meters,
      Clock clock) {
    return QuerySide.start(
        new QuerySideSettings(
            properties.mongo().queryDatabase(),
            properties.kafka().bootstrapServers(),
            properties.kafka().topic(),
            properties.node().id()),
        mongo,
        readPreferences,
        meters,
        clock);
  }

  /**
   * Sign-outs, recorded by the primary on the revocations topic beside the event log, kept a day
   * longer than a session lives.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(
      name = "comments.node.role",
      havingValue = "primary",
      matchIfMissing = true)
  KafkaSessionRecords sessionRevocations(NodeProperties properties, Clock clock) {
    NodeProperties.Kafka kafka = properties.kafka();
    return KafkaSessionRecords.start(
        kafka.bootstrapServers(),
        kafka.topic(),
        kafka.replicationFactor(),
        properties.sessions().ttl().plus(REVOCATION_MARGIN),
        clock);
  }

  /**
   * Every node's in-memory sessions' records: the signed-out sessions and each session's blocks.
   * The edge starts once it holds what the topic held (or after {@link #REVOCATIONS_LOAD_WAIT},
   * when the log cannot be reached: the set fills as soon as it can), so that a restarted node does
   * not take a revoked token.
   */
  @Bean(destroyMethod = "close")
  SessionRecordConsumer revokedSessions(
      NodeProperties properties, ObjectProvider<KafkaSessionRecords> revocations, Clock clock)
      throws InterruptedException {
    // On the primary, the topic is its writer's to create: let it, so that it can be read at once.
    KafkaSessionRecords writer = revocations.getIfAvailable();
    if (writer != null && !writer.awaitTopic(REVOCATIONS_LOAD_WAIT)) {
      log.warn("the revocations topic is not set up yet; Kafka may be unreachable");
    }
    SessionRecordConsumer consumer =
        SessionRecordConsumer.start(
            properties.kafka().bootstrapServers(),
            properties.kafka().topic(),
            properties.node().id(),
            clock);
    if (!consumer.awaitLoaded(REVOCATIONS_LOAD_WAIT)) {
      log.warn(
          "revoked sessions not loaded within {}; the edge starts and learns them as they come",
          REVOCATIONS_LOAD_WAIT);
    }
    return consumer;
  }

  /** Each tenant's pre-moderation and flag threshold, for the thread aggregate's rules. */
  private static Map<String, ModerationPolicy> moderationPolicies(NodeProperties properties) {
    return properties.tenants().entrySet().stream()
        .collect(
            Collectors.toUnmodifiableMap(
                Map.Entry::getKey, e -> e.getValue().toModeration(e.getKey()).policy()));
  }

  /** The tenant's limits: its own where it names them, the defaults elsewhere; none when off. */
  private static RateLimits limits(
      NodeProperties.Limits limits, String tenant, NodeProperties.Tenant settings) {
    if (!limits.enabled()) {
      return RateLimits.OFF;
    }
    try {
      return RateLimits.DEFAULTS.with(settings.limits());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "comments.tenants." + tenant + ".limits: " + e.getMessage(), e);
    }
  }

  /**
   * The node's TLS: one watcher of the PEM files and one certificate for the edge's listener, its
   * calls to the primary and the heartbeats. Closed after the edge, which uses it.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "comments.tls.enabled", havingValue = "true")
  NodeTls nodeTls(NodeProperties properties) {
    return NodeTls.start(properties.tls().toSettings());
  }

  /**
   * This node in the mesh: heartbeats to and from every peer, saying whether this node is up or
   * drained and whether its projection is ready. Closed after the edge, which serves its routes.
   */
  @Bean(destroyMethod = "close")
  Heartbeats heartbeats(
      NodeProperties properties,
      QuerySide querySide,
      ObjectProvider<NodeTls> tls,
      PrometheusMeterRegistry meters,
      Clock clock) {
    NodeProperties.Mesh mesh = properties.mesh();
    List<String> addresses =
        mesh.addresses().isEmpty() ? List.of(properties.http().host()) : mesh.addresses();
    MeshSettings settings =
        new MeshSettings(
            properties.node().id(),
            mesh.deployment(),
            properties.node().region(),
            mesh.latitude(),
            mesh.longitude(),
            addresses.stream().map(InetAddress::ofLiteral).toList(),
            mesh.peers().stream().map(URI::create).toList(),
            mesh.heartbeatInterval(),
            mesh.downAfter(),
            mesh.canaryShare());
    return HttpHeartbeats.start(
        new Mesh(settings, querySide.status(), clock),
        properties.cluster().keys().toKeyRing(),
        Optional.ofNullable(tls.getIfAvailable()),
        meters);
  }

  /**
   * The DNS server, answering from this node's mesh. It starts after the edge (so no client is sent
   * to a node whose edge does not listen yet) and stops before it.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "comments.dns.enabled", havingValue = "true")
  GeoDnsServer dnsServer(
      NodeProperties properties,
      Heartbeats heartbeats,
      EdgeServer edge,
      PrometheusMeterRegistry meters,
      Clock clock)
      throws IOException {
    NodeProperties.Dns dns = properties.dns();
    Path database =
        dns.database() == null || dns.database().isBlank()
            ? DevGeoDatabase.writeInto(Files.createTempDirectory("comments-geoip"))
            : Path.of(dns.database());
    InetAddress bind = InetAddress.ofLiteral(dns.host());
    Zone zone =
        Zone.of(
            dns.zone(),
            properties.mesh().deployment(),
            "edge",
            new NameServer(Name.fromConstantString("ns1." + dns.zone()), List.of(bind)));
    GeoDnsSettings settings =
        GeoDnsSettings.dev(database)
            .withBind(new InetSocketAddress(bind, dns.port()))
            .withZones(List.of(zone))
            .withTtl(dns.ttl());
    if (dns.udpThreads() > 0) {
      settings = settings.withUdpThreads(dns.udpThreads());
    }
    settings = settings.withUdpBatch(dns.udpBatch());
    log.info("DNS for {} on {} port {} ({})", zone.origin(), dns.host(), dns.port(), database);
    return GeoDnsServer.start(settings, new MeshNodeMap(heartbeats.mesh()), clock, meters);
  }

  @Bean(destroyMethod = "close")
  EdgeServer edgeServer(
      NodeProperties properties,
      ObjectProvider<CommandSide> commandSide,
      ObjectProvider<KafkaSessionRecords> revocations,
      QuerySide querySide,
      SessionRecordConsumer revokedSessions,
      Heartbeats heartbeats,
      ObjectProvider<NodeTls> tls,
      PrometheusMeterRegistry meters,
      Clock clock)
      throws IOException {
    NodeProperties.Node node = properties.node();
    NodeRole role;
    if (node.primary()) {
      CommandSide commands = commandSide.getObject();
      role =
          new NodeRole.Primary(
              commands.commands(),
              commands.idempotencyKeys(),
              commands.positions(),
              revocations.getObject(),
              revocations.getObject(),
              Optional.of(
                  commands.media(
                      new MediaLimits(
                          properties.cdn().maxUploadBytes(),
                          properties.cdn().maxSide(),
                          properties.cdn().maxPixels()))));
    } else {
      role = new NodeRole.Replica(URI.create(node.primaryUrl()), node.primaryTimeout());
    }
    NodeProperties.Http http = properties.http();
    Map<String, TenantSettings> tenants =
        properties.tenants().entrySet().stream()
            .collect(
                Collectors.toUnmodifiableMap(
                    Map.Entry::getKey,
                    e ->
                        new TenantSettings(
                            e.getValue().moderatorKey(),
                            limits(properties.limits(), e.getKey(), e.getValue()),
                            e.getValue().origins(e.getKey()),
                            e.getValue().toModeration(e.getKey()))));
    EdgeSettings edge =
        new EdgeSettings(
            http.host(),
            http.port(),
            properties.node().id(),
            tenants,
            new EdgeKeys(
                properties.sessions().keys().toKeyRing(),
                properties.consistency().keys().toKeyRing(),
                properties.cluster().keys().toKeyRing()),
            properties.sessions().ttl(),
            properties.consistency().maxWait(),
            http.maxBodyBytes(),
            http.ioThreads(),
            http.workerThreads(),
            http.bodyTimeout(),
            properties.live().toLimits(),
            CdnSettings.in(
                properties.cdn().cacheDirOf(properties.node().id()),
                properties.cdn().cacheBytes(),
                properties.cdn().maxUploadBytes()),
            properties.tls().toSettings());
    ReadSide readSide =
        new ReadSide(
            querySide.queries(),
            querySide.feeds(),
            querySide.status(),
            revokedSessions,
            revokedSessions,
            querySide.media(),
            new History(querySide.audit(), querySide),
            revokedSessions,
            querySide.moderationQueue(),
            querySide.bans());
    // The node's one TLS (the heartbeats' too), when it is on; else the edge speaks plain HTTP.
    NodeTls nodeTls = tls.getIfAvailable();
    return nodeTls == null
        ? EdgeServer.start(edge, role, readSide, Optional.of(heartbeats), meters, clock)
        : EdgeServer.start(edge, role, readSide, Optional.of(heartbeats), nodeTls, meters, clock);
  }
}
