package dev.comments.edge.abuse;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A tenant's limits against abuse; docs/api.md has the table of what each limits, its key, default
 * and error code. Token buckets count attempts per client address and per session; the windows
 * remember what was accepted.
 *
 * @param duplicateTextWindow how long the same text from the same session or address in the same
 *     thread is refused ({@code 429 duplicate_text}); zero is off
 * @param voteStuffingWindow how long a comment takes votes from only one session per address
 *     ({@code 429 vote_stuffing}); zero is off
 * @param maxLinks the most links one comment may hold ({@code 400 too_many_links})
 */
public record RateLimits(
    Rate sessionsPerIp,
    Rate postsPerSession,
    Rate postsPerIp,
    Rate votesPerSession,
    Rate votesPerIp,
    Rate flagsPerSession,
    Rate flagsPerIp,
    Duration duplicateTextWindow,
    Duration voteStuffingWindow,
    int maxLinks) {

  /** What a tenant gets unless its settings say otherwise. */
  public static final RateLimits DEFAULTS =
      new RateLimits(
          Rate.parse("30/10m"),
          Rate.parse("20/10m"),
          Rate.parse("60/10m"),
          Rate.parse("120/10m"),
          Rate.parse("600/10m"),
          Rate.parse("20/10m"),
          Rate.parse("60/10m"),
          Duration.ofMinutes(10),
          Duration.ofHours(1),
          5);

  /** No limit at all ({@code --rate-limits off}): for benchmarks and tests of other things. */
  public static final RateLimits OFF =
      new RateLimits(
          Rate.OFF,
          Rate.OFF,
          Rate.OFF,
          Rate.OFF,
          Rate.OFF,
          Rate.OFF,
          Rate.OFF,
          Duration.ZERO,
          Duration.ZERO,
          Integer.MAX_VALUE);

  /** The setting names, as in {@code comments.tenants.NAME.limits.KEY}. */
  public static final Set<String> KEYS =
      Set.of(
          "sessions-per-ip",
          "posts-per-session",
          "posts-per-ip",
          "votes-per-session",
          "votes-per-ip",
          "flags-per-session",
          "flags-per-ip",
          "duplicate-text-window",
          "vote-stuffing-window",
          "max-links");

  public RateLimits {
    Objects.requireNonNull(sessionsPerIp, "sessionsPerIp");
    Objects.requireNonNull(postsPerSession, "postsPerSession");
    Objects.requireNonNull(postsPerIp, "postsPerIp");
    Objects.requireNonNull(votesPerSession, "votesPerSession");
    Objects.requireNonNull(votesPerIp, "votesPerIp");
    Objects.requireNonNull(flagsPerSession, "flagsPerSession");
    Objects.requireNonNull(flagsPerIp, "flagsPerIp");
    Objects.requireNonNull(duplicateTextWindow, "duplicateTextWindow");
    Objects.requireNonNull(voteStuffingWindow, "voteStuffingWindow");
    if (duplicateTextWindow.isNegative() || voteStuffingWindow.isNegative() || maxLinks < 0) {
      throw new IllegalArgumentException("windows and maxLinks must not be negative");
    }
  }

  /**
   * These limits with some replaced, by setting name ({@link #KEYS}); a rate is {@code N/DURATION}
   * or {@code off}, a window a duration or {@code off}, {@code max-links} a number or {@code off}.
   *
   * @throws IllegalArgumentException naming the unknown key or the bad value
   */
  public RateLimits with(Map<String, String> overrides) {
    Map<String, String> values = new HashMap<>(overrides);
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(KEYS);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown rate limit " + unknown + "; the limits are " + new TreeSet<>(KEYS));
    }
    try {
      return new RateLimits(
          rate(values, "sessions-per-ip", sessionsPerIp),
          rate(values, "posts-per-session", postsPerSession),
          rate(values, "posts-per-ip", postsPerIp),
          rate(values, "votes-per-session", votesPerSession),
          rate(values, "votes-per-ip", votesPerIp),
          rate(values, "flags-per-session", flagsPerSession),
          rate(values, "flags-per-ip", flagsPerIp),
          window(values, "duplicate-text-window", duplicateTextWindow),
          window(values, "vote-stuffing-window", voteStuffingWindow),
          links(values.get("max-links"), maxLinks));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("rate limits: " + e.getMessage(), e);
    }
  }

  /** Whether any limit is on. */
  public boolean any() {
    return !equals(OFF);
  }

  private static Rate rate(Map<String, String> values, String key, Rate current) {
    String value = values.get(key);
    return value == null ? current : Rate.parse(value);
  }

  private static Duration window(Map<String, String> values, String key, Duration current) {
    String value = values.get(key);
    return value == null ? current : Rate.duration(value);
  }

  private static int links(String value, int current) {
    if (value == null) {
      return current;
    }
    if (value.strip().equalsIgnoreCase("off")) {
      return Integer.MAX_VALUE;
    }
    try {
      int links = Integer.parseInt(value.strip());
      if (links >= 0) {
        return links;
      }
    } catch (NumberFormatException e) {
      // Reported below with the value.
    }
    throw new IllegalArgumentException("max-links is a number of links or 'off', not " + value);
  }
}
