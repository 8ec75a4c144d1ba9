package dev.comments.edge.abuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.http.ReceiveBody;
import dev.comments.edge.idempotency.IdempotentCommand;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.session.Session;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The edge's limits against abuse, per tenant ({@link RateLimits}): token buckets per client
 * address and per session (Bucket4j), and three checks of what is written: the same text again
 * ({@code 429 duplicate_text}), too many links ({@code 400 too_many_links}), and votes on one
 * comment from fresh sessions of one address ({@code 429 vote_stuffing}). Everything it remembers
 * sits in Caffeine caches bounded in entries, each entry expiring once forgetting it changes
 * nothing (a bucket once full again, a text or vote once its window passed), so a flood of
 * addresses costs bounded memory. It runs on every node: a replica refuses before crossing to the
 * primary, and the primary counts the replica's client, not the replica ({@link ClientAddress}).
 *
 * <p>Buckets count attempts, so a refused request costs its token too; the windows remember only
 * accepted writes (a 2xx answer), so a failed post may be sent again at once.
 */
public final class AbuseGuard {
  /** What a route does, as far as the limits care. */
  public enum Action {
    CREATE_SESSION("sessions"),
    POST("posts"),
    EDIT("posts"),
    VOTE("votes"),
    FLAG("flags");

    private final String counted;

    Action(String counted) {
      this.counted = counted;
    }
  }

  /**
   * Entries per cache: a bucket, a text or a vote each costs a few hundred bytes, so the three
   * together stay within some tens of MB under any flood of addresses.
   */
  public static final long DEFAULT_MAX_ENTRIES = 50_000;

  private static final Pattern LINK =
      Pattern.compile("(?i)(?<![\\p{L}\\p{N}])(?:https?://|www\\.)[^\\s]");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final ObjectMapper JSON = new ObjectMapper();

  private record BucketKey(String tenant, String counted, String scope, String who) {}

  private record TextKey(String tenant, String thread, String who, String textHash) {}

  private record VoteKey(String tenant, String commentId, String address) {}

  /** What a window remembers: who wrote (an idempotency key, a session), and when. */
  private record Seen(String by, Instant at) {}

  private final Map<String, RateLimits> tenants;
  private final ClientAddress clients;
  private final Clock clock;
  private final TimeMeter time;
  private final Cache<BucketKey, Bucket> buckets;
  private final Cache<TextKey, Seen> texts;
  private final Cache<VoteKey, Seen> votes;
  private final MeterRegistry meters;

  /**
   * @param tenants each tenant's limits
   * @param clusterKeys the deployment's cluster keys: a forwarded address is believed only from a
   *     caller that shows one
   * @param maxEntries how many buckets, texts and votes each are remembered at most
   */
  public AbuseGuard(
      Map<String, RateLimits> tenants,
      KeyRing clusterKeys,
      Clock clock,
      MeterRegistry meters,
      long maxEntries) {
    this.tenants = Map.copyOf(tenants);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.clients = new ClientAddress(Objects.requireNonNull(clusterKeys, "clusterKeys"), clock);
    this.meters = Objects.requireNonNull(meters, "meters");
    this.time =
        new TimeMeter() {
          @Override
          public long currentTimeNanos() {
            return TimeUnit.MILLISECONDS.toNanos(clock.millis());
          }

          @Override
          public boolean isWallClockBased() {
            return true;
          }
        };
    Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    this.buckets =
        bounded(maxEntries, ticker)
            .expireAfter(Expiry.accessing((BucketKey key, Bucket bucket) -> refill(key)))
            .build();
    this.texts =
        bounded(maxEntries, ticker)
            .expireAfter(
                Expiry.writing(
                    (TextKey key, Seen seen) -> limits(key.tenant()).duplicateTextWindow()))
            .build();
    this.votes =
        bounded(maxEntries, ticker)
            .expireAfter(
                Expiry.writing(
                    (VoteKey key, Seen seen) -> limits(key.tenant()).voteStuffingWindow()))
            .build();
    Gauge.builder("comments.abuse.remembered", buckets, Cache::estimatedSize)
        .description("token buckets held for rate limits (bounded)")
        .tag("kind", "buckets")
        .register(meters);
    Gauge.builder("comments.abuse.remembered", texts, Cache::estimatedSize)
        .description("texts remembered against duplicates (bounded)")
        .tag("kind", "texts")
        .register(meters);
    Gauge.builder("comments.abuse.remembered", votes, Cache::estimatedSize)
        .description("votes remembered against stuffing (bounded)")
        .tag("kind", "votes")
        .register(meters);
  }

  /**
   * The token buckets of {@code action}: per client address, and per session on routes behind one.
   * Cheap and bodiless, so it runs on the IO thread before the body is read.
   */
  public HttpHandler rateLimited(Action action, HttpHandler next) {
    Objects.requireNonNull(next, "next");
    return exchange -> {
      RateLimits limits = limits(PathParameters.tenant(exchange));
      take(exchange, action, "ip", clients.of(exchange), perIp(limits, action));
      Optional<Session> session = Session.ifPresent(exchange);
      if (session.isPresent()) {
        take(exchange, action, "session", session.get().sessionId(), perSession(limits, action));
      }
      next.handleRequest(exchange);
    };
  }

  /**
   * What {@code action} writes: links and repeated text of a post, links of an edit, the voter of a
   * vote. Needs the body ({@link ReceiveBody}); a body that is not the expected JSON is left to the
   * handler to refuse precisely.
   */
  public HttpHandler checked(Action action, HttpHandler next) {
    Objects.requireNonNull(next, "next");
    return switch (action) {
      case POST ->
          exchange -> {
            checkPost(exchange);
            next.handleRequest(exchange);
          };
      case EDIT ->
          exchange -> {
            checkLinks(exchange, limits(PathParameters.tenant(exchange)), field(exchange, "text"));
            next.handleRequest(exchange);
          };
      case VOTE ->
          exchange -> {
            checkVote(exchange);
            next.handleRequest(exchange);
          };
      case CREATE_SESSION, FLAG -> next;
    };
  }

  private void take(
      HttpServerExchange exchange, Action action, String scope, String who, Rate rate) {
    if (rate.off()) {
      return;
    }
    BucketKey key = new BucketKey(PathParameters.tenant(exchange), action.counted, scope, who);
    Bucket bucket =
        buckets.get(
            key,
            k ->
                Bucket.builder()
                    .addLimit(
                        limit ->
                            limit.capacity(rate.count()).refillGreedy(rate.count(), rate.per()))
                    .withCustomTimePrecision(time)
                    .build());
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (!probe.isConsumed()) {
      refused("rate_limited");
      throw new ApiException(
          429,
          "rate_limited",
          "too many "
              + action.counted
              + " from this "
              + (scope.equals("ip") ? "address" : "session")
              + ": at most "
              + rate.count()
              + " per "
              + describe(rate.per())
              + "; retry later",
          retryAfter(Duration.ofNanos(probe.getNanosToWaitForRefill())));
    }
  }

  private void checkPost(HttpServerExchange exchange) {
    String tenant = PathParameters.tenant(exchange);
    RateLimits limits = limits(tenant);
    String text = field(exchange, "text");
    if (text == null) {
      return;
    }
    checkLinks(exchange, limits, text);
    Duration window = limits.duplicateTextWindow();
    if (window.isZero()) {
      return;
    }
    String thread = PathParameters.threadId(exchange).thread();
    String hash = hash(text);
    String idempotencyKey = exchange.getRequestHeaders().getFirst(IdempotentCommand.HEADER);
    TextKey byAddress = new TextKey(tenant, thread, "ip:" + clients.of(exchange), hash);
    TextKey bySession =
        new TextKey(tenant, thread, "session:" + Session.of(exchange).sessionId(), hash);
    for (TextKey key : new TextKey[] {bySession, byAddress}) {
      Seen seen = texts.getIfPresent(key);
      // The same request again with the same key is a retry: the idempotency protocol answers it.
      if (seen != null && (idempotencyKey == null || !idempotencyKey.equals(seen.by()))) {
        refused("duplicate_text");
        throw new ApiException(
            429,
            "duplicate_text",
            "the same text was posted to this thread moments ago; it is taken once per "
                + describe(window),
            retryAfter(Duration.between(clock.instant(), seen.at().plus(window))));
      }
    }
    Seen posted = new Seen(Objects.requireNonNullElse(idempotencyKey, ""), clock.instant());
    onSuccess(
        exchange,
        () -> {
          texts.asMap().putIfAbsent(bySession, posted);
          texts.asMap().putIfAbsent(byAddress, posted);
        });
  }

  private void checkLinks(HttpServerExchange exchange, RateLimits limits, String text) {
    if (text == null || limits.maxLinks() == Integer.MAX_VALUE) {
      return;
    }
    Matcher links = LINK.matcher(text);
    int count = 0;
    while (links.find()) {
      if (++count > limits.maxLinks()) {
        refused("too_many_links");
        throw ApiException.badRequest(
            "too_many_links",
            "a comment may hold at most " + limits.maxLinks() + " links (http://, https://, www.)");
      }
    }
  }

  private void checkVote(HttpServerExchange exchange) {
    String tenant = PathParameters.tenant(exchange);
    Duration window = limits(tenant).voteStuffingWindow();
    String direction = field(exchange, "direction");
    // Taking a vote back cannot stuff anything.
    if (window.isZero() || direction == null || direction.equals("none")) {
      return;
    }
    VoteKey key = new VoteKey(tenant, PathParameters.commentId(exchange), clients.of(exchange));
    String sessionId = Session.of(exchange).sessionId();
    Seen seen = votes.getIfPresent(key);
    if (seen != null && !seen.by().equals(sessionId)) {
      refused("vote_stuffing");
      throw new ApiException(
          429,
          "vote_stuffing",
          "another session from this address voted on this comment moments ago;"
              + " one vote per address and comment counts within "
              + describe(window),
          retryAfter(Duration.between(clock.instant(), seen.at().plus(window))));
    }
    Seen voted = new Seen(sessionId, clock.instant());
    onSuccess(exchange, () -> votes.asMap().putIfAbsent(key, voted));
  }

  /** Remembers a write once it was accepted, on this node or (forwarded) on the primary. */
  private static void onSuccess(HttpServerExchange exchange, Runnable remember) {
    exchange.addExchangeCompleteListener(
        (done, nextListener) -> {
          try {
            if (done.getStatusCode() >= 200 && done.getStatusCode() < 300) {
              remember.run();
            }
          } finally {
            nextListener.proceed();
          }
        });
  }

  /** A string field of the JSON body, or {@code null} when the body is not such an object. */
  private static String field(HttpServerExchange exchange, String name) {
    byte[] body = ReceiveBody.of(exchange);
    if (body.length == 0) {
      return null;
    }
    try {
      JsonNode value = JSON.readTree(body).get(name);
      return value != null && value.isTextual() ? value.textValue() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Equal for texts a reader would take for the same: case and runs of whitespace aside. */
  static String hash(String text) {
    String normal = WHITESPACE.matcher(text.strip()).replaceAll(" ").toLowerCase(Locale.ROOT);
    try {
      return Base64.getEncoder()
          .encodeToString(
              MessageDigest.getInstance("SHA-256").digest(normal.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private RateLimits limits(String tenant) {
    return tenants.getOrDefault(tenant, RateLimits.OFF);
  }

  private Duration refill(BucketKey key) {
    RateLimits limits = limits(key.tenant());
    Rate rate =
        switch (key.counted()) {
          case "sessions" -> limits.sessionsPerIp();
          case "posts" -> key.scope().equals("ip") ? limits.postsPerIp() : limits.postsPerSession();
          case "votes" -> key.scope().equals("ip") ? limits.votesPerIp() : limits.votesPerSession();
          default -> key.scope().equals("ip") ? limits.flagsPerIp() : limits.flagsPerSession();
        };
    // Untouched this long, the bucket is full again: forgetting it changes nothing.
    return rate.off() ? Duration.ZERO : rate.per();
  }

  private static Rate perIp(RateLimits limits, Action action) {
    return switch (action) {
      case CREATE_SESSION -> limits.sessionsPerIp();
      case POST, EDIT -> limits.postsPerIp();
      case VOTE -> limits.votesPerIp();
      case FLAG -> limits.flagsPerIp();
    };
  }

  private static Rate perSession(RateLimits limits, Action action) {
    return switch (action) {
      case CREATE_SESSION -> Rate.OFF;
      case POST, EDIT -> limits.postsPerSession();
      case VOTE -> limits.votesPerSession();
      case FLAG -> limits.flagsPerSession();
    };
  }

  private void refused(String code) {
    Counter.builder("comments.abuse.refused")
        .description("requests refused by a limit against abuse, by error code")
        .tag("code", code)
        .register(meters)
        .increment();
  }

  private static Map<String, String> retryAfter(Duration wait) {
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    return Map.of("Retry-After", Long.toString(seconds));
  }

  private static String describe(Duration duration) {
    return duration.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  /**
   * A cache of at most {@code maxEntries} on the guard's clock, maintained on the caller's thread:
   * eviction is bounded work per write and needs no pool.
   */
  private static Caffeine<Object, Object> bounded(long maxEntries, Ticker ticker) {
    return Caffeine.newBuilder().maximumSize(maxEntries).ticker(ticker).executor(Runnable::run);
  }
}
