package dev.comments.command.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class CaffeineCacheTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private double counter(String name) {
    return meters.get("test.cache." + name).functionCounter().count();
  }

  @Test
  void cache_counts_hits_and_misses() {
    CaffeineCache cache = CaffeineCache.bounded(10, meters, "test.cache");
    cache.put("a", 1);

    assertThat(cache.<String, Integer>get("a")).isEqualTo(1);
    assertThat(cache.<String, Integer>get("b")).isNull();

    assertThat(counter("hits")).isEqualTo(1);
    assertThat(counter("misses")).isEqualTo(1);
  }

  @Test
  void cache_keeps_its_bound_and_counts_evictions() {
    CaffeineCache cache = CaffeineCache.bounded(100, meters, "test.cache");
    for (int i = 0; i < 1_000; i++) {
      cache.put("k" + i, i);
    }

    assertThat(cache.size()).isLessThanOrEqualTo(100);
    assertThat(counter("evictions")).isEqualTo(1_000 - cache.size());
    assertThat(meters.get("test.cache.size").gauge().value()).isEqualTo(cache.size());
  }

  @Test
  void cache_removes_and_updates_entries_as_axon_asks() {
    CaffeineCache cache = CaffeineCache.bounded(10, meters, "test.cache");

    assertThat(cache.putIfAbsent("a", 1)).isTrue();
    assertThat(cache.putIfAbsent("a", 2)).isFalse();
    cache.<Integer>computeIfPresent("a", v -> v + 10);
    assertThat(cache.<String, Integer>get("a")).isEqualTo(11);
    assertThat(cache.remove("a")).isTrue();
    assertThat(cache.remove("a")).isFalse();
    assertThat(cache.containsKey("a")).isFalse();
    assertThat(cache.<Integer>computeIfAbsent("b", () -> 5)).isEqualTo(5);
    cache.put("b", null);
    assertThat(cache.containsKey("b")).isFalse();
  }
}
