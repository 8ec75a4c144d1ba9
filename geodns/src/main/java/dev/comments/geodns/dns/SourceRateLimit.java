package dev.comments.geodns.dns;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A token bucket per source (an IPv4 address, or an IPv6 /64, since one host owns a whole /64), so
 * that one flooding source, real or spoofed, cannot take the server's time from every other client.
 * Queries over the limit are dropped without an answer: a spoofed flood then reflects nothing at
 * its victim, and a real resolver retries.
 *
 * <p>Bucket4j and Caffeine as in the edge's abuse guard: the bucket arithmetic and a bounded,
 * expiring map of sources are theirs, so a flood of distinct sources costs bounded memory.
 */
public final class SourceRateLimit {
  private final long perSecond;
  private final long burst;
  private final TimeMeter time;
  private final Cache<SourceKey, Bucket> buckets;

  /**
   * @param perSecond queries a source may send per second on average; 0 turns the limit off
   * @param burst how many it may send at once
   */
  public SourceRateLimit(long perSecond, long burst, long maxSources, Clock clock) {
    this.perSecond = perSecond;
    this.burst = Math.max(burst, perSecond);
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
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(maxSources)
            .expireAfterAccess(Duration.ofSeconds(Math.max(1, this.burst / Math.max(1, perSecond))))
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .executor(Runnable::run)
            .build();
  }

  /** Whether a query from {@code source} may be answered now. */
  public boolean tryAcquire(InetAddress source) {
    if (perSecond == 0) {
      return true;
    }
    Bucket bucket =
        buckets.get(
            SourceKey.of(source),
            k ->
                Bucket.builder()
                    .addLimit(
                        limit ->
                            limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
                    .withCustomTimePrecision(time)
                    .build());
    return bucket.tryConsume(1);
  }

  /** The bytes that name a source: the whole IPv4 address, or the first 64 bits of an IPv6 one. */
  private record SourceKey(byte[] bytes) {
    static SourceKey of(InetAddress address) {
      byte[] raw = address.getAddress();
      return new SourceKey(address instanceof Inet6Address ? Arrays.copyOf(raw, 8) : raw);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof SourceKey key && Arrays.equals(bytes, key.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return Arrays.toString(bytes);
    }
  }
}
