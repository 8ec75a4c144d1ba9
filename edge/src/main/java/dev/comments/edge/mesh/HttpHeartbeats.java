package dev.comments.edge.mesh;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.primary.ClusterKey;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.tls.NodeTls;
import dev.comments.events.ThreadId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat transport: every {@code interval}, POSTs this node's heartbeat to {@value #PATH} on
 * every peer, over the same node-to-node HTTP as commands, with the cluster key ({@link
 * ClusterKey}); the answer is the peer's own heartbeat, so one round trip tells both sides. This is
 * the one class that knows how heartbeats travel. With TLS (peers at {@code https://} URLs) they
 * travel encrypted and each side's certificate is checked against the deployment's trusted ones;
 * the cluster key still proves membership, which a certificate of the right CA alone would not.
 */
public final class HttpHeartbeats implements Heartbeats {
  public static final String PATH = "/internal/mesh/heartbeat";

  /** Where each beat's share of this node's readers goes ({@link PresenceShare}). */
  public static final String PRESENCE_PATH = "/internal/mesh/presence";

  static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static final Logger log = LoggerFactory.getLogger(HttpHeartbeats.class);

  private final Mesh mesh;
  private final KeyRing clusterKeys;
  private final Duration timeout;
  private final HttpClient http;
  private final ScheduledExecutorService ticks;
  private final Map<URI, Counter> failures = new LinkedHashMap<>();
  private final Map<URI, Boolean> lastFailed = new ConcurrentHashMap<>();
  private final Map<URI, PresenceOutbox> outboxes = new LinkedHashMap<>();

  private HttpHeartbeats(
      Mesh mesh, KeyRing clusterKeys, Optional<NodeTls> tls, MeterRegistry meters) {
    this.mesh = mesh;
    this.clusterKeys = clusterKeys;
    // A heartbeat that takes longer than the interval is no better than a lost one.
    this.timeout = mesh.settings().interval();
    HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(timeout);
    tls.ifPresent(nodeTls -> nodeTls.configure(http));
    this.http = http.build();
    this.ticks =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("mesh-heartbeats").factory());
    for (URI peer : mesh.settings().peers()) {
      outboxes.put(peer, new PresenceOutbox(mesh.settings().nodeId(), mesh.incarnation()));
      failures.put(
          peer,
          Counter.builder("comments.mesh.heartbeats.failed")
              .description("heartbeats a peer did not take")
              .tag("peer", peer.getAuthority())
              .register(meters));
    }
  }

  /** Starts sending at once and then every interval. */
  public static HttpHeartbeats start(Mesh mesh, KeyRing clusterKeys, MeterRegistry meters) {
    return start(mesh, clusterKeys, Optional.empty(), meters);
  }

  /**
   * The same, with this node's TLS for peers at {@code https://} URLs: each peer's certificate is
   * checked against the deployment's trusted certificates, and this node shows its own when a peer
   * asks (mutual TLS).
   */
  public static HttpHeartbeats start(
      Mesh mesh, KeyRing clusterKeys, Optional<NodeTls> tls, MeterRegistry meters) {
    HttpHeartbeats heartbeats = new HttpHeartbeats(mesh, clusterKeys, tls, meters);
    long every = mesh.settings().interval().toMillis();
    heartbeats.ticks.scheduleAtFixedRate(heartbeats::tick, 0, every, TimeUnit.MILLISECONDS);
    return heartbeats;
  }

  @Override
  public Mesh mesh() {
    return mesh;
  }

  private void tick() {
    try {
      sendToAll();
    } catch (RuntimeException e) {
      log.warn("sending heartbeats failed", e);
    }
    try {
      sharePresence();
    } catch (RuntimeException e) {
      log.warn("sharing presence failed", e);
    }
  }

  /**
   * Tells every peer what changed of this node's readers, in its own message beside the heartbeat:
   * a heartbeat that carried 10,000 threads would pass the peers' body limit and be refused, and
   * the peer taken for down. An unanswered share leaves liveness to the heartbeats.
   */
  private void sharePresence() {
    Map<ThreadId, Integer> local = mesh.presence().local();
    String key = ClusterKey.headerOf(clusterKeys);
    outboxes.forEach(
        (peer, outbox) -> {
          // The outcome is the outbox's to note; nothing waits for it.
          var _ = outbox.next(local).map(share -> share(peer, outbox, share, key));
        });
  }

  private CompletableFuture<?> share(
      URI peer, PresenceOutbox outbox, PresenceShare share, String key) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(share);
    } catch (IOException e) {
      outbox.failed(share.version());
      throw new UncheckedIOException(e);
    }
    HttpRequest request =
        HttpRequest.newBuilder(peer.resolve(PRESENCE_PATH))
            .timeout(timeout)
            .header(ClusterKey.HEADER, key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(
            (response, failure) -> {
              if (failure == null && response.statusCode() == 200) {
                outbox.answered(share.version(), held(response.body()));
              } else {
                outbox.failed(share.version());
              }
            });
  }

  private static long held(byte[] answer) {
    try {
      return JSON.readValue(answer, PresenceShare.Held.class).held();
    } catch (IOException e) {
      return PresenceShare.WHOLE;
    }
  }

  @Override
  public Told tellNow() {
    Map<URI, CompletableFuture<String>> sent = sendToAll();
    List<String> told = new ArrayList<>();
    List<String> unreachable = new ArrayList<>();
    sent.forEach(
        (peer, answer) -> {
          try {
            told.add(answer.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS));
          } catch (ExecutionException | TimeoutException e) {
            unreachable.add(peer.toString());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unreachable.add(peer.toString());
          }
        });
    return new Told(told, unreachable);
  }

  /** One heartbeat to every peer; each future completes with the peer's id once it answered. */
  private Map<URI, CompletableFuture<String>> sendToAll() {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(mesh.self());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String key = ClusterKey.headerOf(clusterKeys);
    Map<URI, CompletableFuture<String>> sent = new LinkedHashMap<>();
    for (URI peer : mesh.settings().peers()) {
      HttpRequest request =
          HttpRequest.newBuilder(peer.resolve(PATH))
              .timeout(timeout)
              .header(ClusterKey.HEADER, key)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      sent.put(
          peer,
          http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
              .thenApply(response -> answered(peer, response))
              .whenComplete((id, failure) -> noteOutcome(peer, failure)));
    }
    return sent;
  }

  private String answered(URI peer, HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException(peer + " answered " + response.statusCode());
    }
    try {
      Heartbeat theirs = JSON.readValue(response.body(), Heartbeat.class);
      mesh.receive(theirs);
      outboxes.get(peer).peerIs(theirs.incarnation());
      return theirs.id();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Counts failures, and logs only when a peer's outcome changes, not once per interval. */
  private void noteOutcome(URI peer, Throwable failure) {
    boolean failed = failure != null;
    Boolean before = lastFailed.put(peer, failed);
    if (failed) {
      failures.get(peer).increment();
      if (!Boolean.TRUE.equals(before)) {
        log.warn("no heartbeat answer from {}: {}", peer, rootMessage(failure));
      }
    } else if (Boolean.TRUE.equals(before)) {
      log.info("{} answers heartbeats again", peer);
    }
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    // The JDK's client leaves some without a message (a refused or closed connection).
    String name = cause.getClass().getSimpleName();
    return cause.getMessage() == null ? name : name + ": " + cause.getMessage();
  }

  @Override
  public void close() {
    ticks.shutdownNow();
    http.close();
  }
}
