package dev.comments.edge.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Times every request into {@code http.server.requests} (a histogram per route template, method,
 * status and read preference) and counts the ones slower than {@link #SLOW} per route. Tags come
 * from bounded sets only: the template, never the raw path; known methods, never any token.
 */
public final class RequestMetrics implements HttpHandler {
  public static final String REQUESTS = "http.server.requests";
  public static final String SLOW_REQUESTS = "http.server.requests.slow";
  public static final Duration SLOW = Duration.ofMillis(100);

  /** Set by handlers that read a projection: {@code primary} or {@code nearest}. */
  public static final AttachmentKey<String> READ_PREFERENCE = AttachmentKey.create(String.class);

  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  private final MeterRegistry registry;
  private final HttpHandler next;

  /**
   * The timers by their tags, so that a request finds its own without building a meter id (tags
   * sorted and de-duplicated) and looking it up in the registry: bounded, as the tags are.
   */
  private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

  private record TimerKey(String route, String method, int status, String readPreference) {}

  public RequestMetrics(MeterRegistry registry, HttpHandler next) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    Timer.Sample sample = Timer.start(registry);
    exchange.addExchangeCompleteListener(
        (done, nextListener) -> {
          try {
            record(done, sample);
          } finally {
            nextListener.proceed();
          }
        });
    next.handleRequest(exchange);
  }

  private void record(HttpServerExchange exchange, Timer.Sample sample) {
    String route = Objects.requireNonNullElse(exchange.getAttachment(Router.ROUTE), "unmatched");
    String method = exchange.getRequestMethod().toString();
    TimerKey key =
        new TimerKey(
            route,
            METHODS.contains(method) ? method : "OTHER",
            exchange.getStatusCode(),
            Objects.requireNonNullElse(exchange.getAttachment(READ_PREFERENCE), "none"));
    long nanos = sample.stop(timers.computeIfAbsent(key, this::timer));
    if (nanos > SLOW.toNanos()) {
      Counter.builder(SLOW_REQUESTS)
          .description("HTTP requests slower than 100 ms, by route template")
          .tag("route", route)
          .register(registry)
          .increment();
    }
  }

  private Timer timer(TimerKey key) {
    return Timer.builder(REQUESTS)
        .description("HTTP requests served by the edge, by route template")
        .tag("route", key.route())
        .tag("method", key.method())
        .tag("status", Integer.toString(key.status()))
        .tag("read_preference", key.readPreference())
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }
}
