package dev.comments.query;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Which audit entries to stream: one tenant's, in {@code [from, to)}, optionally of one thread and
 * of one actor (a user, or a moderator when {@code moderatorsOnly}).
 */
public record AuditQuery(
    String tenant, String thread, String actor, boolean moderatorsOnly, Instant from, Instant to) {
  /** The widest range one request may ask for: a wider one is refused, not truncated. */
  public static final Duration MAX_RANGE = Duration.ofDays(31);

  public AuditQuery {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("'to' is before 'from'");
    }
    if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
      throw new IllegalArgumentException("the range is wider than " + MAX_RANGE.toDays() + " days");
    }
  }
}
