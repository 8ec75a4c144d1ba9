package dev.comments.edge.primary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.command.ThreadPositions;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.NodeHeaders;
import dev.comments.edge.http.ReceiveBody;
import dev.comments.edge.http.Router;
import dev.comments.edge.tls.NodeTls;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's way to the primary: commands, reads that must be fresher than this node can prove,
 * and position checks travel over one client (the JDK's; HTTP/2 over TLS, pooled HTTP/1.1 over
 * plain HTTP) with a connect timeout and a per-request deadline. Every failure to reach the
 * primary, or to hear from it in time, is {@code 503 primary_unavailable} with {@code Retry-After}:
 * a replica never hangs on a primary that is gone.
 *
 * <p>A command always travels with an {@code Idempotency-Key} (the client's, or one the edge made),
 * so the one retry made here on a broken pooled connection, and the client's own retries, apply it
 * once: the primary settles a key whose outcome it does not know from the thread itself. The key
 * goes back to the client with every answer to a command (the 503 of a lost answer, the primary's
 * 5xx or 409 in flight included), so that it can retry safely even when it sent none.
 */
public final class PrimaryLink implements ThreadPositions {
  public static final String POSITION_PATH =
      "/internal/v1/tenants/{tenant}/threads/{thread}/position";

  /** The primary's bytes of a media item, for the other nodes' CDN fills. */
  public static final String MEDIA_PATH = "/internal/v1/media/{tenant}/{mediaId}";

  /** How long an upload may take to reach the primary and be answered. */
  static final Duration UPLOAD_TIMEOUT = Duration.ofSeconds(120);

  public static final HttpString FORWARDED_TO = HttpString.tryFromString("X-Forwarded-To");
  public static final String FORWARDED_FOR = "X-Forwarded-For";
  static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

  /**
   * The JDK's client counts the TLS handshake in its connect timeout: two more round trips across
   * an ocean, and a primary just restarted does its first handshakes with cold code. A primary that
   * is down still fails at once (refused, or the handshake cut off).
   */
  static final Duration TLS_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private static final HttpString IDEMPOTENCY_KEY = HttpString.tryFromString("Idempotency-Key");

  /** Request headers that carry meaning to the primary; hop-by-hop ones are the client's own. */
  private static final List<String> FORWARDED_REQUEST_HEADERS =
      List.of("Authorization", "Content-Type", "X-Consistency-Token", "If-None-Match");

  /** Answer headers relayed to the client, besides the body and status. */
  private static final List<String> RELAYED_HEADERS =
      List.of(
          "X-Consistency-Token",
          "X-Consistency",
          "ETag",
          "Idempotent-Replayed",
          "Retry-After",
          "WWW-Authenticate");

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(PrimaryLink.class);

  private final URI primary;
  private final Duration timeout;
  private final String nodeId;
  private final String clusterKey;
  private final HttpClient client;
  private final MeterRegistry meters;
  private final Counter readsForwarded;
  private final Timer positionChecks;

  /**
   * @param primary the primary's edge, e.g. {@code http://127.0.1.1:8080}
   * @param timeout the deadline of one request to the primary, connection included
   * @param clusterKey what the primary's internal routes ask of callers ({@link ClusterKey})
   */
  public PrimaryLink(
      URI primary, Duration timeout, String nodeId, String clusterKey, MeterRegistry meters) {
    this(primary, timeout, nodeId, clusterKey, Optional.empty(), meters);
  }

  /**
   * @param tls this node's TLS, for a primary at an {@code https://} URL: the primary's certificate
   *     is checked against the deployment's trusted certificates, and this node shows its own when
   *     the primary asks (mutual TLS)
   */
  public PrimaryLink(
      URI primary,
      Duration timeout,
      String nodeId,
      String clusterKey,
      Optional<NodeTls> tls,
      MeterRegistry meters) {
    this.primary = Objects.requireNonNull(primary, "primary");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.clusterKey = Objects.requireNonNull(clusterKey, "clusterKey");
    this.meters = Objects.requireNonNull(meters, "meters");
    HttpClient.Builder client =
        HttpClient.newBuilder()
            .version(version(primary))
            .connectTimeout(shorter(connectTimeout(primary), timeout))
            .followRedirects(HttpClient.Redirect.NEVER);
    tls.ifPresent(nodeTls -> nodeTls.configure(client));
    this.client = client.build();
    this.readsForwarded =
        Counter.builder("comments.forward.reads")
            .description("reads this replica could not prove fresh and forwarded to the primary")
            .register(meters);
    this.positionChecks =
        Timer.builder("comments.forward.position.checks")
            .description("round trips to the primary asking where a thread's stream stands")
            .publishPercentileHistogram()
            .register(meters);
  }

  /**
   * HTTP/2 over TLS: one multiplexed connection across the ocean instead of a pool, so one
   * handshake serves every command, and a primary that went away leaves at most one dead connection
   * (a pool of HTTP/1.1 connections over TLS can hold several, each costing a failed attempt).
   * Plain HTTP stays HTTP/1.1: the JDK's client would otherwise try an h2c upgrade on every new
   * connection.
   */
  private static HttpClient.Version version(URI primary) {
    return "https".equals(primary.getScheme())
        ? HttpClient.Version.HTTP_2
        : HttpClient.Version.HTTP_1_1;
  }

  private static Duration connectTimeout(URI primary) {
    return "https".equals(primary.getScheme()) ? TLS_CONNECT_TIMEOUT : CONNECT_TIMEOUT;
  }

  private static Duration shorter(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }

  /**
   * Sends this command to the primary with {@code idempotencyKey} and answers the client with the
   * primary's answer.
   */
  public void forwardCommand(HttpServerExchange exchange, String idempotencyKey) {
    Timer.Sample sample = Timer.start(meters);
    String outcome = "unavailable";
    try {
      HttpResponse<byte[]> answer = send(exchange, idempotencyKey);
      outcome = "answered";
      exchange.getResponseHeaders().put(IDEMPOTENCY_KEY, idempotencyKey);
      relay(exchange, answer, false);
    } finally {
      sample.stop(
          Timer.builder("comments.forward.commands")
              .description("commands forwarded to the primary, until its answer came back")
              .tag("route", Objects.requireNonNullElse(exchange.getAttachment(Router.ROUTE), "?"))
              .tag("outcome", outcome)
              .publishPercentileHistogram()
              .register(meters));
    }
  }

  /** Sends this read to the primary as it came, and answers with the primary's page. */
  public void forwardRead(HttpServerExchange exchange) {
    readsForwarded.increment();
    relay(exchange, send(exchange, null), true);
  }

  /**
   * Streams an upload to the primary as it arrives and answers with the primary's answer. It is
   * sent once: a body read from the client cannot be sent again, so a failure is {@code 503}.
   *
   * @param length the body's declared length, or -1 to send it chunked
   */
  public void forwardUpload(HttpServerExchange exchange, InputStream body, long length)
      throws IOException {
    BodyPublisher stream = BodyPublishers.ofInputStream(() -> body);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(primary.resolve(originForm(exchange)))
            .timeout(UPLOAD_TIMEOUT.compareTo(timeout) > 0 ? UPLOAD_TIMEOUT : timeout)
            .POST(length >= 0 ? BodyPublishers.fromPublisher(stream, length) : stream)
            .header("X-Forwarded-By", nodeId)
            .header(FORWARDED_FOR, exchange.getSourceAddress().getAddress().getHostAddress())
            .header(ClusterKey.HEADER, clusterKey);
    for (String name : FORWARDED_REQUEST_HEADERS) {
      String value = exchange.getRequestHeaders().getFirst(name);
      if (value != null) {
        request.header(name, value);
      }
    }
    HttpResponse<byte[]> answer;
    try {
      answer = client.send(request.build(), BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw unavailable("the primary did not take the upload in time", false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while uploading to the primary", false);
    }
    relay(exchange, answer, false);
  }

  /**
   * The primary's bytes of a media item, streamed: the caller reads them to the end and closes the
   * stream. A primary that cannot be reached, answers otherwise than 200 or stops mid-way fails
   * with an {@link IOException}.
   */
  public InputStream openMedia(String tenant, String mediaId) throws IOException {
    String path =
        MEDIA_PATH.replace("{tenant}", encode(tenant)).replace("{mediaId}", encode(mediaId));
    HttpRequest request =
        HttpRequest.newBuilder(primary.resolve(path))
            .timeout(timeout)
            .header(ClusterKey.HEADER, clusterKey)
            .header("X-Forwarded-By", nodeId)
            .GET()
            .build();
    HttpResponse<InputStream> answer;
    try {
      answer = client.send(request, BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching from the primary", e);
    }
    if (answer.statusCode() != 200) {
      answer.body().close();
      throw new IOException("the primary answered a media fetch with " + answer.statusCode());
    }
    return answer.body();
  }

  /** Asks the primary where the thread's stream stands. */
  @Override
  public OptionalLong lastSeq(ThreadId thread, ReadPreference readPreference) {
    // The primary's event store is the only place that knows; the preference cannot change that.
    String path =
        POSITION_PATH
            .replace("{tenant}", encode(thread.tenant()))
            .replace("{thread}", encode(thread.thread()));
    HttpRequest request =
        HttpRequest.newBuilder(primary.resolve(path))
            .timeout(timeout)
            .header(ClusterKey.HEADER, clusterKey)
            .GET()
            .build();
    HttpResponse<byte[]> answer = positionChecks.record(() -> call(request, false));
    if (answer.statusCode() != 200) {
      log.warn("the primary answered a position check with {}", answer.statusCode());
      throw unavailable("the primary could not say where the thread stands", false);
    }
    try {
      JsonNode seq = MAPPER.readTree(answer.body()).path("seq");
      return seq.isIntegralNumber() ? OptionalLong.of(seq.asLong()) : OptionalLong.empty();
    } catch (IOException e) {
      throw unavailable("the primary's position answer was not understood", false);
    }
  }

  private HttpResponse<byte[]> send(HttpServerExchange exchange, String idempotencyKey) {
    URI target = primary.resolve(originForm(exchange));
    byte[] body = ReceiveBody.of(exchange);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target)
            .timeout(timeout)
            .method(
                exchange.getRequestMethod().toString(),
                body.length == 0 ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body))
            .header("X-Forwarded-By", nodeId);
    for (String name : FORWARDED_REQUEST_HEADERS) {
      String value = exchange.getRequestHeaders().getFirst(name);
      if (value != null) {
        request.header(name, value);
      }
    }
    // The primary counts the client against its rate limits, not this node: it believes this
    // address because the cluster key comes with it.
    String forwardedFor = exchange.getSourceAddress().getAddress().getHostAddress();
    request.header(FORWARDED_FOR, forwardedFor);
    request.header(ClusterKey.HEADER, clusterKey);
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    try {
      return call(request.build(), idempotencyKey != null);
    } catch (ApiException e) {
      if (idempotencyKey != null) {
        throw withKey(e, idempotencyKey);
      }
      throw e;
    }
  }

  /**
   * The path and query the primary gets: rebuilt from the route's template, its parsed path
   * parameters and the parsed query, never copied from the request line. A request line may name
   * another host ({@code POST http://elsewhere/...}) or an authority ({@code //elsewhere/...});
   * resolved against the primary's URL, that would send the caller's token there.
   */
  static String originForm(HttpServerExchange exchange) {
    String template = exchange.getAttachment(Router.ROUTE);
    PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
    if (template == null || match == null) {
      throw new IllegalStateException("only a routed request can be forwarded");
    }
    String path = template;
    for (Map.Entry<String, String> parameter : match.getParameters().entrySet()) {
      path = path.replace("{" + parameter.getKey() + "}", encode(parameter.getValue()));
    }
    if (!path.startsWith("/") || path.startsWith("//") || path.contains("{")) {
      throw new IllegalStateException("the route gave no plain path: " + template);
    }
    StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
    new TreeMap<>(exchange.getQueryParameters())
        .forEach(
            (name, values) ->
                values.forEach(value -> query.add(encode(name) + "=" + encode(value))));
    return path + query;
  }

  /**
   * One request, and one retry when a pooled connection turned out to be closed: safe for reads,
   * and for commands because they carry their idempotency key.
   */
  private HttpResponse<byte[]> call(HttpRequest request, boolean command) {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.send(request, BodyHandlers.ofByteArray());
      } catch (HttpTimeoutException e) {
        throw unavailable(
            "the primary did not answer within " + timeout.toMillis() + " ms", command);
      } catch (IOException e) {
        if (attempt >= 2) {
          log.debug("primary {} unreachable: {}", primary, e.toString());
          throw unavailable("the primary region cannot be reached", command);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unavailable("interrupted while waiting for the primary", command);
      }
    }
  }

  private static ApiException unavailable(String why, boolean command) {
    String advice =
        command
            ? "; the command may not have been applied: retry with the same Idempotency-Key"
            : "; retry shortly, or read with readPreference=nearest";
    return new ApiException(503, "primary_unavailable", why + advice, Map.of("Retry-After", "1"));
  }

  private static ApiException withKey(ApiException e, String idempotencyKey) {
    Map<String, String> headers = new HashMap<>(e.headers());
    headers.put("Idempotency-Key", idempotencyKey);
    return new ApiException(e.status(), e.code(), e.getMessage(), headers);
  }

  private static void relay(
      HttpServerExchange exchange, HttpResponse<byte[]> answer, boolean read) {
    var headers = exchange.getResponseHeaders();
    for (String name : RELAYED_HEADERS) {
      answer
          .headers()
          .firstValue(name)
          .ifPresent(v -> headers.put(HttpString.tryFromString(name), v));
    }
    answer
        .headers()
        .firstValue(NodeHeaders.SERVED_BY.toString())
        .ifPresent(primaryId -> headers.put(FORWARDED_TO, primaryId));
    if (read) {
      // The page is the primary's: so is its staleness.
      answer
          .headers()
          .firstValue(NodeHeaders.REPLICA_LAG.toString())
          .ifPresent(lag -> headers.put(NodeHeaders.REPLICA_LAG, lag));
    }
    if (answer.statusCode() == 204) {
      JsonResponses.noContent(exchange);
    } else {
      JsonResponses.sendBytes(exchange, answer.statusCode(), answer.body());
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
