package dev.comments.edge.abuse;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A token bucket's size: at most {@code count} at once, refilled evenly over {@code per} (so {@code
 * 20/10m} allows a burst of 20, then one every 30 s). {@link #OFF} never refuses.
 */
public record Rate(long count, Duration per) {
  public static final Rate OFF = new Rate(0, Duration.ZERO);

  private static final Pattern FORM = Pattern.compile("([0-9]{1,9})/([0-9]{1,6}(?:ms|s|m|h|d))");
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})(ms|s|m|h|d)");

  public Rate {
    Objects.requireNonNull(per, "per");
    if (count < 0 || per.isNegative() || (count == 0) != per.isZero()) {
      throw new IllegalArgumentException("a rate needs a positive count and period: " + count);
    }
  }

  public boolean off() {
    return count == 0;
  }

  /** {@code off}, or {@code N/DURATION} such as {@code 20/10m} (units ms, s, m, h, d). */
  public static Rate parse(String text) {
    String value = text.strip().toLowerCase(Locale.ROOT);
    if (value.equals("off")) {
      return OFF;
    }
    Matcher matcher = FORM.matcher(value);
    if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
      throw new IllegalArgumentException(
          "a rate is 'off' or N/DURATION such as 20/10m, not '" + text + "'");
    }
    Duration per = duration(matcher.group(2));
    if (per.isZero()) {
      throw new IllegalArgumentException("a rate's period must be positive: '" + text + "'");
    }
    return new Rate(Long.parseLong(matcher.group(1)), per);
  }

  /** {@code off} (zero), or a duration such as {@code 500ms}, {@code 10m}, {@code 1h}. */
  static Duration duration(String text) {
    String value = text.strip().toLowerCase(Locale.ROOT);
    if (value.equals("off")) {
      return Duration.ZERO;
    }
    Matcher matcher = DURATION.matcher(value);
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "a duration is 'off' or a number with ms, s, m, h or d, such as 10m; not '" + text + "'");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  @Override
  public String toString() {
    return off() ? "off" : count + "/" + per;
  }
}
