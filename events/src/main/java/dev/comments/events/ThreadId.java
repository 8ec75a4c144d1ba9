package dev.comments.events;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A thread within a tenant: the unit of consistency. All events of one thread form one stream with
 * gap-free sequence numbers, and the stream id is the Kafka key that keeps them in order.
 */
public record ThreadId(String tenant, String thread) implements StreamId {
  private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern THREAD = Pattern.compile("[A-Za-z0-9._~:-]{1,200}");

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

  public static boolean isValidTenant(String tenant) {
    return tenant != null && TENANT.matcher(tenant).matches();
  }

  public static boolean isValidThread(String thread) {
    return thread != null && THREAD.matcher(thread).matches();
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
