package dev.comments.edge.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import dev.comments.edge.testing.MutableClock;
import dev.comments.edge.testing.TestKeys;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClusterKeyTest {
  private static final SigningKey KEY = TestKeys.key("k2", "the current cluster key, 32+ bytes!");
  private static final SigningKey OLD_KEY =
      TestKeys.key("k1", "the retired cluster key, 32+ bytes!");
  private static final Instant OLD_KEY_ENDS = Instant.parse("2026-03-02T00:00:00Z");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final AtomicInteger passed = new AtomicInteger();
  private final ClusterKey guard =
      new ClusterKey(
          new KeyRing(KEY, List.of(new KeyRing.PreviousKey(OLD_KEY, OLD_KEY_ENDS))),
          clock,
          exchange -> passed.incrementAndGet());

  @Test
  void the_header_names_the_current_key_by_its_id() {
    assertThat(ClusterKey.headerOf(new KeyRing(KEY, List.of()))).startsWith("k2.");
  }

  @Test
  void lets_the_current_key_through() throws Exception {
    guard.handleRequest(withHeader(ClusterKey.headerOf(KEY)));

    assertThat(passed).hasValue(1);
  }

  @Test
  void lets_a_previous_key_through_until_its_window_ends() throws Exception {
    guard.handleRequest(withHeader(ClusterKey.headerOf(OLD_KEY)));
    assertThat(passed).hasValue(1);

    clock.set(OLD_KEY_ENDS);
    assertRefused(ClusterKey.headerOf(OLD_KEY));
  }

  @Test
  void refuses_unknown_ids_wrong_keys_and_garbage() {
    assertRefused(ClusterKey.headerOf(TestKeys.key("k9", "the current cluster key, 32+ bytes!")));
    assertRefused(ClusterKey.headerOf(TestKeys.key("k2", "another cluster key of 32+ bytes!!!")));
    assertRefused("k2." + ClusterKey.headerOf(OLD_KEY).substring(3));
    assertRefused(ClusterKey.headerOf(KEY).substring(3));
    assertRefused("guess");
    assertRefused(null);
    assertThat(passed).hasValue(0);
  }

  private void assertRefused(String header) {
    assertThatThrownBy(() -> guard.handleRequest(withHeader(header)))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_cluster_key"));
  }

  private static HttpServerExchange withHeader(String value) {
    HttpServerExchange exchange = new HttpServerExchange(null);
    if (value != null) {
      exchange.getRequestHeaders().put(HttpString.tryFromString(ClusterKey.HEADER), value);
    }
    return exchange;
  }
}
