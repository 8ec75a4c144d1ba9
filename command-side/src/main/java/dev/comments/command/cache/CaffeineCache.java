package dev.comments.command.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;

/**
 * Axon's {@link Cache} on a size-bounded Caffeine cache, with its hits, misses, evictions and size
 * as metrics {@code PREFIX.hits}, {@code .misses}, {@code .evictions} and {@code .size}. Axon ships
 * adapters for JCache and Ehcache, not Caffeine; going through JCache would add its API, Caffeine's
 * JCache provider and its configuration library, and statistics over JMX, for four calls.
 */
public final class CaffeineCache implements Cache {
  private final com.github.benmanes.caffeine.cache.Cache<Object, Object> entries;

  private CaffeineCache(com.github.benmanes.caffeine.cache.Cache<Object, Object> entries) {
    this.entries = entries;
  }

  /**
   * @param maximumSize how many entries it keeps; the least valuable beyond that are evicted
   * @param metricPrefix the name its metrics start with
   */
  public static CaffeineCache bounded(long maximumSize, MeterRegistry meters, String metricPrefix) {
    Objects.requireNonNull(meters, "meters");
    Objects.requireNonNull(metricPrefix, "metricPrefix");
    if (maximumSize < 1) {
      throw new IllegalArgumentException("maximumSize must be at least 1: " + maximumSize);
    }
    CaffeineCache cache =
        new CaffeineCache(
            Caffeine.newBuilder()
                .maximumSize(maximumSize)
                // Evict on the caller's thread: the work is small and the bound then holds at once.
                .executor(Runnable::run)
                .recordStats()
                .build());
    var entries = cache.entries;
    FunctionCounter.builder(metricPrefix + ".hits", entries, c -> c.stats().hitCount())
        .description("lookups that found the entry")
        .register(meters);
    FunctionCounter.builder(metricPrefix + ".misses", entries, c -> c.stats().missCount())
        .description("lookups that did not find the entry")
        .register(meters);
    FunctionCounter.builder(metricPrefix + ".evictions", entries, c -> c.stats().evictionCount())
        .description("entries evicted to keep the bound")
        .register(meters);
    Gauge.builder(metricPrefix + ".size", entries, c -> c.estimatedSize())
        .description("entries held")
        .register(meters);
    return cache;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> V get(K key) {
    return (V) entries.getIfPresent(key);
  }

  @Override
  public void put(Object key, Object value) {
    if (value == null) {
      entries.invalidate(key);
    } else {
      entries.put(key, value);
    }
  }

  @Override
  public boolean putIfAbsent(Object key, Object value) {
    return entries.asMap().putIfAbsent(key, value) == null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T computeIfAbsent(Object key, Supplier<T> valueSupplier) {
    return (T) entries.get(key, k -> valueSupplier.get());
  }

  @Override
  public boolean remove(Object key) {
    return entries.asMap().remove(key) != null;
  }

  @Override
  public void removeAll() {
    entries.invalidateAll();
  }

  @Override
  public boolean containsKey(Object key) {
    return entries.asMap().containsKey(key);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <V> void computeIfPresent(Object key, UnaryOperator<V> update) {
    entries.asMap().computeIfPresent(key, (k, v) -> update.apply((V) v));
  }

  /** Axon registers no listener on an aggregate cache, and nothing here needs one. */
  @Override
  public Registration registerCacheEntryListener(EntryListener cacheEntryListener) {
    throw new UnsupportedOperationException("this cache reports through its metrics only");
  }

  /** Entries held now (approximate), for tests and the size gauge. */
  public long size() {
    return entries.estimatedSize();
  }
}
