package dev.comments.edge.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.testing.MutableClock;
import dev.comments.edge.testing.TestKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AbuseGuardTest {
  private static final KeyRing CLUSTER_KEYS = KeyRing.of(TestKeys.CLUSTER);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicInteger passed = new AtomicInteger();
  private final HttpHandler counted = exchange -> passed.incrementAndGet();

  @Test
  void memory_stays_bounded_under_a_flood_of_distinct_addresses() throws Exception {
    int bound = 500;
    AbuseGuard guard =
        new AbuseGuard(Map.of("demo", RateLimits.DEFAULTS), CLUSTER_KEYS, clock, meters, bound);
    HttpHandler sessions = guard.rateLimited(AbuseGuard.Action.CREATE_SESSION, counted);

    for (int i = 0; i < 20_000; i++) {
      sessions.handleRequest(
          from("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)));
      assertThat(remembered("buckets")).isLessThanOrEqualTo(bound + 16);
    }

    assertThat(passed).hasValue(20_000);
    assertThat(remembered("buckets")).isLessThanOrEqualTo(bound);
  }

  @Test
  void a_bucket_left_alone_until_full_again_is_forgotten() throws Exception {
    AbuseGuard guard =
        new AbuseGuard(Map.of("demo", RateLimits.DEFAULTS), CLUSTER_KEYS, clock, meters, 1_000);
    HttpHandler sessions = guard.rateLimited(AbuseGuard.Action.CREATE_SESSION, counted);
    for (int i = 0; i < 30; i++) {
      sessions.handleRequest(from("192.0.2.1"));
    }
    assertThatThrownBy(() -> sessions.handleRequest(from("192.0.2.1")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(429));

    clock.advance(Duration.ofMinutes(10));
    sessions.handleRequest(from("192.0.2.2"));

    assertThat(remembered("buckets")).isEqualTo(1);
    sessions.handleRequest(from("192.0.2.1"));
  }

  @Test
  void ipv6_clients_count_by_their_64_bit_prefix() throws Exception {
    RateLimits one = RateLimits.DEFAULTS.with(Map.of("sessions-per-ip", "1/1h"));
    AbuseGuard guard = new AbuseGuard(Map.of("demo", one), CLUSTER_KEYS, clock, meters, 1_000);
    HttpHandler sessions = guard.rateLimited(AbuseGuard.Action.CREATE_SESSION, counted);

    sessions.handleRequest(from("2001:db8:1:2::1"));

    assertThatThrownBy(() -> sessions.handleRequest(from("2001:db8:1:2:ffff::9")))
        .isInstanceOf(ApiException.class);
    sessions.handleRequest(from("2001:db8:1:3::1"));
    assertThat(passed).hasValue(2);
  }

  @Test
  void rates_and_overrides_are_parsed_strictly() {
    assertThat(Rate.parse("20/10m")).isEqualTo(new Rate(20, Duration.ofMinutes(10)));
    assertThat(Rate.parse("off").off()).isTrue();
    assertThatThrownBy(() -> Rate.parse("0/1m")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Rate.parse("5 per minute"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RateLimits.DEFAULTS.with(Map.of("posts-per-hour", "1/1h")))
        .hasMessageContaining("posts-per-hour");
    assertThat(RateLimits.DEFAULTS.with(Map.of("max-links", "off")).maxLinks())
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(RateLimits.OFF.any()).isFalse();
    assertThat(RateLimits.DEFAULTS.any()).isTrue();
  }

  private long remembered(String kind) {
    return (long) meters.get("comments.abuse.remembered").tag("kind", kind).gauge().value();
  }

  private static HttpServerExchange from(String address) throws Exception {
    HttpServerExchange exchange = new HttpServerExchange(null);
    exchange.setSourceAddress(new InetSocketAddress(InetAddress.ofLiteral(address), 40_000));
    exchange.putAttachment(
        PathTemplateMatch.ATTACHMENT_KEY,
        new PathTemplateMatch("/api/v1/tenants/{tenant}/sessions", Map.of("tenant", "demo")));
    return exchange;
  }
}
