package dev.comments.edge.testing;

import dev.comments.edge.EdgeServer;
import dev.comments.edge.History;
import dev.comments.edge.NodeRole;
import dev.comments.edge.ReadSide;
import dev.comments.edge.TenantSettings;
import dev.comments.query.BannedUsers;
import dev.comments.query.BlockedUsers;
import dev.comments.query.MediaCatalog;
import dev.comments.query.ModerationQueue;
import dev.comments.query.Moderators;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One primary's edge, a real Undertow server on loopback, with recording stand-ins for the command
 * and query sides, and an HTTP/1.1 client that speaks to it.
 */
public final class PrimaryEdge implements AutoCloseable {
  public final RecordingQueries queries = new RecordingQueries();
  public final EdgeServer server;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private PrimaryEdge(Map<String, TenantSettings> tenants, ModerationQueue moderationQueue) {
    InMemoryRevocations revocations = new InMemoryRevocations();
    server =
        EdgeServer.start(
            TestEdgeSettings.node("node-a").tenants(tenants).threads(1, 2).build(),
            new NodeRole.Primary(
                new RecordingCommands(),
                new InMemoryIdempotencyKeys(),
                new FixedPositions(),
                revocations),
            new ReadSide(
                queries,
                new QuietFeeds(),
                new FakeProjectionStatus(),
                revocations,
                BlockedUsers.NONE,
                MediaCatalog.NONE,
                History.NONE,
                Moderators.NONE,
                moderationQueue,
                BannedUsers.NONE),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            new MutableClock(Instant.parse("2026-03-01T12:00:00Z")));
  }

  public static PrimaryEdge start(Map<String, TenantSettings> tenants) {
    return new PrimaryEdge(tenants, ModerationQueue.NONE);
  }

  /** An edge whose moderators read {@code moderationQueue}. */
  public static PrimaryEdge start(
      Map<String, TenantSettings> tenants, ModerationQueue moderationQueue) {
    return new PrimaryEdge(tenants, moderationQueue);
  }

  /** A request to {@code path} on this edge. */
  public HttpRequest.Builder at(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10));
  }

  public <T> HttpResponse<T> send(HttpRequest.Builder request, BodyHandler<T> body)
      throws IOException, InterruptedException {
    return client.send(request.build(), body);
  }

  @Override
  public void close() {
    server.close();
    client.close();
  }
}
