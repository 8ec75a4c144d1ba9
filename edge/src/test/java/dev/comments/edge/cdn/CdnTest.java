package dev.comments.edge.cdn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.comments.edge.EdgeServer;
import dev.comments.edge.EdgeSettings;
import dev.comments.edge.NodeRole;
import dev.comments.edge.ReadSide;
import dev.comments.edge.TenantSettings;
import dev.comments.edge.primary.ClusterKey;
import dev.comments.edge.testing.EdgePair;
import dev.comments.edge.testing.FakeProjectionStatus;
import dev.comments.edge.testing.InMemoryMediaCatalog;
import dev.comments.edge.testing.InMemoryRevocations;
import dev.comments.edge.testing.MutableClock;
import dev.comments.edge.testing.QuietFeeds;
import dev.comments.edge.testing.RawHttp;
import dev.comments.edge.testing.RecordingQueries;
import dev.comments.query.BlockedUsers;
import dev.comments.query.MediaView;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica's CDN against a real origin over HTTP (an Undertow server standing in for the primary's
 * origin route): misses, hits, single-flight, LRU under a budget, purges, ranges, 304s, restarts,
 * and an origin that dies mid-stream.
 */
class CdnTest {
  private static final int SIZE = 100 * 1024;

  @TempDir Path dir;

  private final InMemoryMediaCatalog catalog = new InMemoryMediaCatalog();
  private final Map<String, byte[]> stored = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private volatile boolean dieMidStream;
  private Undertow origin;
  private EdgeServer edge;
  private PrometheusMeterRegistry meters;

  @AfterEach
  void stop() throws Exception {
    // A fill that a test did not wait for ends (moved into place or deleted) before the directory
    // is deleted.
    await().until(() -> !hasParts(dir));
    if (edge != null) {
      edge.close();
    }
    if (origin != null) {
      origin.stop();
    }
  }

  @Test
  void a_miss_fetches_from_the_origin_and_the_next_request_is_a_hit_with_the_cache_headers()
      throws Exception {
    start(10 * SIZE);
    byte[] a = item("a");

    HttpResponse<byte[]> first = get("a", Map.of());
    HttpResponse<byte[]> second = get("a", Map.of());

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo(a);
    assertThat(second.body()).isEqualTo(a);
    assertThat(fetches("a")).isEqualTo(1);
    assertThat(second.headers().firstValue("ETag")).contains("\"" + sha256(a) + "\"");
    assertThat(second.headers().firstValue("Cache-Control"))
        .contains("public, max-age=31536000, immutable");
    assertThat(second.headers().firstValue("Content-Type")).contains("image/png");
    assertThat(second.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(first.headers().firstValue("ETag")).isEqualTo(second.headers().firstValue("ETag"));
  }

  @Test
  void two_hundred_requests_that_miss_together_make_one_origin_fetch() throws Exception {
    start(10 * SIZE);
    byte[] a = item("a");
    gate = new CountDownLatch(1);

    List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(http.sendAsync(request("a", Map.of()), BodyHandlers.ofByteArray()));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> meters.counter("comments.cdn.misses").count() >= 200);
    gate.countDown();

    for (CompletableFuture<HttpResponse<byte[]>> response : all) {
      assertThat(response.get(20, TimeUnit.SECONDS).body()).isEqualTo(a);
    }
    assertThat(fetches("a")).isEqualTo(1);
  }

  @Test
  void beyond_its_budget_the_cache_evicts_the_least_recently_used() throws Exception {
    start(SIZE * 5 / 2);
    item("a");
    item("b");
    item("c");

    fetched("a");
    fetched("b");
    get("a", Map.of());
    fetched("c");

    assertThat(Files.exists(dir.resolve("demo").resolve("b"))).isFalse();
    assertThat(Files.exists(dir.resolve("demo").resolve("a"))).isTrue();
    get("a", Map.of());
    get("c", Map.of());
    assertThat(fetches("a")).isEqualTo(1);
    assertThat(fetches("c")).isEqualTo(1);
    get("b", Map.of());
    assertThat(fetches("b")).isEqualTo(2);
  }

  @Test
  void a_removed_item_is_purged_and_answers_410() throws Exception {
    start(10 * SIZE);
    item("a");
    get("a", Map.of());
    await().until(() -> Files.exists(dir.resolve("demo").resolve("a")));

    catalog.remove("demo", "a");

    assertThat(Files.exists(dir.resolve("demo").resolve("a"))).isFalse();
    HttpResponse<byte[]> gone = get("a", Map.of());
    assertThat(gone.statusCode()).isEqualTo(410);
    assertThat(new String(gone.body())).contains("\"media_removed\"");
  }

  @Test
  void a_range_is_answered_206_on_a_miss_and_on_a_hit() throws Exception {
    start(10 * SIZE);
    byte[] a = item("a");
    byte[] slice = Arrays.copyOfRange(a, 1000, 2000);

    HttpResponse<byte[]> onMiss = get("a", Map.of("Range", "bytes=1000-1999"));
    HttpResponse<byte[]> onHit = get("a", Map.of("Range", "bytes=1000-1999"));
    HttpResponse<byte[]> beyond = get("a", Map.of("Range", "bytes=" + SIZE + "-"));

    for (HttpResponse<byte[]> partial : List.of(onMiss, onHit)) {
      assertThat(partial.statusCode()).isEqualTo(206);
      assertThat(partial.body()).isEqualTo(slice);
      assertThat(partial.headers().firstValue("Content-Range")).contains("bytes 1000-1999/" + SIZE);
    }
    assertThat(beyond.statusCode()).isEqualTo(416);
  }

  @Test
  void if_none_match_with_the_etag_answers_304_without_a_body() throws Exception {
    start(10 * SIZE);
    byte[] a = item("a");
    String etag = "\"" + sha256(a) + "\"";

    HttpResponse<byte[]> onMiss = get("a", Map.of("If-None-Match", etag));
    get("a", Map.of());
    HttpResponse<byte[]> onHit = get("a", Map.of("If-None-Match", etag));
    HttpResponse<byte[]> otherTag = get("a", Map.of("If-None-Match", "\"other\""));

    assertThat(onMiss.statusCode()).isEqualTo(304);
    assertThat(onHit.statusCode()).isEqualTo(304);
    assertThat(onHit.body()).isEmpty();
    assertThat(otherTag.statusCode()).isEqualTo(200);
  }

  @Test
  void the_cache_survives_a_restart() throws Exception {
    start(10 * SIZE);
    byte[] a = item("a");
    get("a", Map.of());
    await().until(() -> Files.exists(dir.resolve("demo").resolve("a")));
    edge.close();

    edge = startEdge(10 * SIZE);
    HttpResponse<byte[]> afterRestart = get("a", Map.of());

    assertThat(afterRestart.body()).isEqualTo(a);
    assertThat(fetches("a")).isEqualTo(1);
  }

  @Test
  void an_origin_that_dies_mid_stream_cuts_the_client_and_caches_nothing() throws Exception {
    start(10 * SIZE);
    byte[] a = item("a");
    dieMidStream = true;

    assertThatThrownBy(() -> get("a", Map.of())).isInstanceOf(IOException.class);

    await().until(() -> !hasFiles(dir));
    // The JDK's client tries a GET again when it is cut before the headers, so one or two fetches.
    int failed = fetches("a");
    assertThat(failed).isBetween(1, 2);
    dieMidStream = false;
    assertThat(get("a", Map.of()).body()).isEqualTo(a);
    // Nothing of the broken fills was kept: the good answer is a fetch of its own.
    assertThat(fetches("a")).isEqualTo(failed + 1);
  }

  @Test
  void hostile_ids_are_refused_before_any_file_is_touched() throws Exception {
    start(10 * SIZE);

    for (String id :
        List.of(
            "..",
            "a%2Fb",
            "a%2fb",
            "..%2F..%2Fetc%2Fpasswd",
            "%2e%2e",
            "%2E%2E%2Fx",
            "a%5Cb",
            "a%00b",
            "a/../b",
            "../../etc/passwd",
            "a%252Fb")) {
      RawHttp.Reply answer =
          RawHttp.send(edge.port(), "GET /cdn/v1/demo/" + id + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(answer.status()).as(id).isIn(400, 404);
      assertThat(answer.body()).as(id).containsAnyOf("invalid_path", "invalid_request_target");
    }
    assertThat(fetches.values()).isEmpty();
  }

  @Test
  void an_unknown_id_is_404_without_asking_the_origin() throws Exception {
    start(10 * SIZE);

    HttpResponse<byte[]> missing = get("nothing-here", Map.of());

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(new String(missing.body())).contains("\"media_not_found\"");
    assertThat(fetches.values()).isEmpty();
  }

  private void start(long budget) {
    origin =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(
                new io.undertow.server.handlers.PathTemplateHandler()
                    .add(
                        "/internal/v1/media/{tenant}/{mediaId}",
                        exchange -> {
                          if (exchange.getRequestHeaders().getFirst(ClusterKey.HEADER) == null) {
                            exchange.setStatusCode(403);
                            return;
                          }
                          String id =
                              exchange
                                  .getAttachment(PathTemplateMatch.ATTACHMENT_KEY)
                                  .getParameters()
                                  .get("mediaId");
                          fetches.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                          byte[] bytes = stored.get(id);
                          if (bytes == null) {
                            exchange.setStatusCode(404);
                            return;
                          }
                          exchange.startBlocking();
                          if (exchange.isInIoThread()) {
                            exchange.dispatch(
                                () -> {
                                  try {
                                    serve(exchange, bytes);
                                  } catch (Exception e) {
                                    org.xnio.IoUtils.safeClose(exchange.getConnection());
                                  }
                                });
                          }
                        }))
            .build();
    origin.start();
    edge = startEdge(budget);
  }

  private void serve(io.undertow.server.HttpServerExchange exchange, byte[] bytes)
      throws Exception {
    gate.await(20, TimeUnit.SECONDS);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.length);
    OutputStream out = exchange.getOutputStream();
    if (dieMidStream) {
      out.write(bytes, 0, bytes.length / 2);
      out.flush();
      org.xnio.IoUtils.safeClose(exchange.getConnection());
      return;
    }
    out.write(bytes);
    out.close();
  }

  private EdgeServer startEdge(long budget) {
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EdgeSettings settings =
        EdgePair.settings("replica-1", Map.of("demo", new TenantSettings(EdgePair.MODERATOR_KEY)))
            .cdn(CdnSettings.in(dir, budget, CdnSettings.DEFAULT_MAX_UPLOAD_BYTES))
            .build();
    int originPort =
        ((InetSocketAddress) origin.getListenerInfo().getFirst().getAddress()).getPort();
    return EdgeServer.start(
        settings,
        new NodeRole.Replica(URI.create("http://127.0.0.1:" + originPort), Duration.ofSeconds(30)),
        new ReadSide(
                new RecordingQueries(),
                new QuietFeeds(),
                new FakeProjectionStatus(),
                new InMemoryRevocations(),
                BlockedUsers.NONE)
            .withMedia(catalog),
        meters,
        new MutableClock(Instant.parse("2026-03-01T12:00:00Z")));
  }

  private byte[] item(String id) throws Exception {
    byte[] bytes = new byte[SIZE];
    new Random(id.hashCode()).nextBytes(bytes);
    stored.put(id, bytes);
    catalog.put(new MediaView("demo", id, sha256(bytes), "image/png", SIZE, 10, 10, false, 0));
    return bytes;
  }

  private int fetches(String id) {
    AtomicInteger count = fetches.get(id);
    return count == null ? 0 : count.get();
  }

  private HttpRequest request(String id, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + edge.port() + "/cdn/v1/demo/" + id));
    headers.forEach(request::header);
    return request.build();
  }

  private HttpResponse<byte[]> get(String id, Map<String, String> headers) throws Exception {
    return http.send(request(id, headers), BodyHandlers.ofByteArray());
  }

  /**
   * Gets an item and waits until its fill is in the cache: the client has its bytes just before the
   * fill is moved into place.
   */
  private void fetched(String id) throws Exception {
    get(id, Map.of());
    await().until(() -> Files.exists(dir.resolve("demo").resolve(id)));
  }

  private static boolean hasParts(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(".part"));
    }
  }

  private static boolean hasFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.anyMatch(Files::isRegularFile);
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
