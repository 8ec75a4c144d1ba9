package dev.comments.infra.node;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.comments.command.CommandSide;
import dev.comments.command.CommandSideSettings;
import dev.comments.edge.EdgeServer;
import dev.comments.edge.EdgeSettings;
import dev.comments.edge.NodeRole;
import dev.comments.edge.TenantSettings;
import dev.comments.edge.abuse.RateLimits;
import dev.comments.query.QuerySide;
import dev.comments.query.QuerySideSettings;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The parts of one node and how they are connected: the one place to read to see what runs in a
 * node's process. The parts talk in-process; each is closed by Spring in the reverse order of its
 * creation, so the edge stops taking requests before the sides behind it go away.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(NodeProperties.class)
public class NodeConfiguration {

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
            properties.node().id()),
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

  @Bean(destroyMethod = "close")
  EdgeServer edgeServer(
      NodeProperties properties,
      ObjectProvider<CommandSide> commandSide,
      QuerySide querySide,
      PrometheusMeterRegistry meters,
      Clock clock)
      throws IOException {
    NodeProperties.Node node = properties.node();
    NodeRole role;
    if (node.primary()) {
      CommandSide commands = commandSide.getObject();
      role =
          new NodeRole.Primary(
              commands.commands(), commands.idempotencyKeys(), commands.positions());
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
                            limits(properties.limits(), e.getKey(), e.getValue()))));
    return EdgeServer.start(
        new EdgeSettings(
            http.host(),
            http.port(),
            properties.node().id(),
            tenants,
            properties.sessions().secretBytes(),
            properties.sessions().ttl(),
            properties.consistency().maxWait(),
            http.maxBodyBytes(),
            http.ioThreads(),
            http.workerThreads(),
            http.bodyTimeout()),
        role,
        querySide.queries(),
        querySide.status(),
        meters,
        clock);
  }
}
