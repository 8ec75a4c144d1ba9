package dev.comments.events;

import java.util.Objects;

/**
 * A thread within a tenant: the unit of consistency. All events of one thread form one stream with
 * gap-free sequence numbers, and the stream id is the Kafka key that keeps them in order.
 */
public record ThreadId(String tenant, String thread) implements StreamId {
  private static final int MAX_TENANT = 63;
  private static final int MAX_ID = 200;

  public ThreadId {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(thread, "thread");
    if (!isValidTenant(tenant)) {
      throw new IllegalArgumentException("invalid tenant id: " + tenant);
    }
    if (!isValidThread(thread)) {
      throw new IllegalArgumentException("invalid thread id: " + thread);
    }
  }

  /**
   * {@code [a-z0-9][a-z0-9-]{0,62}}, checked a character at a time: every read of a thread checks
   * its ids, and regular expressions' matchers were 2.4% of a loaded node's I/O threads' time.
   */
  public static boolean isValidTenant(String tenant) {
    if (tenant == null || tenant.isEmpty() || tenant.length() > MAX_TENANT) {
      return false;
    }
    for (int i = 0; i < tenant.length(); i++) {
      char c = tenant.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  /** {@code [A-Za-z0-9._~:-]{1,200}}: {@link #isValidId}. */
  public static boolean isValidThread(String thread) {
    return isValidId(thread);
  }

  /**
   * {@code [A-Za-z0-9._~:-]{1,200}}, checked a character at a time: the form of a thread id, and of
   * the comment and user ids that share it.
   */
  public static boolean isValidId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (!isIdCharacter(id.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether an id of {@link #isValidId}'s form may hold this character: {@code [A-Za-z0-9._~:-]},
   * URL-safe and never a slash.
   */
  public static boolean isIdCharacter(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '~'
        || c == ':'
        || c == '-';
  }

  /** The stream id, {@code tenant/thread}; unambiguous because neither part may hold a slash. */
  @Override
  public String streamId() {
    return tenant + "/" + thread;
  }

  public static ThreadId ofStreamId(String streamId) {
    int slash = streamId.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("not a stream id: " + streamId);
    }
    return new ThreadId(streamId.substring(0, slash), streamId.substring(slash + 1));
  }

  @Override
  public String toString() {
    return streamId();
  }
}
