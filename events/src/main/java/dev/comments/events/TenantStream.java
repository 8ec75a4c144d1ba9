package dev.comments.events;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A stream scoped by tenant rather than by thread, such as one media item's: {@code
 * kind:tenant/key}, e.g. {@code media:demo/Xb3…}. Its events have their own gap-free sequence
 * numbers, like a thread's.
 */
public record TenantStream(String kind, String tenant, String key) implements StreamId {
  /** The kind of a media item's stream. */
  public static final String MEDIA = "media";

  private static final Pattern KIND = Pattern.compile("[a-z]{1,20}");
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._~-]{1,200}");

  public TenantStream {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(key, "key");
    if (!KIND.matcher(kind).matches()) {
      throw new IllegalArgumentException("invalid stream kind: " + kind);
    }
    if (!ThreadId.isValidTenant(tenant)) {
      throw new IllegalArgumentException("invalid tenant id: " + tenant);
    }
    if (!isValidKey(key)) {
      throw new IllegalArgumentException("invalid " + kind + " key: " + key);
    }
  }

  public static TenantStream media(String tenant, String mediaId) {
    return new TenantStream(MEDIA, tenant, mediaId);
  }

  /**
   * A key holds no slash, colon, percent sign or space, so it is safe in a path and a file name.
   */
  public static boolean isValidKey(String key) {
    return key != null && KEY.matcher(key).matches() && !key.equals(".") && !key.equals("..");
  }

  @Override
  public String streamId() {
    return kind + ":" + tenant + "/" + key;
  }

  public static TenantStream ofStreamId(String streamId) {
    int colon = streamId.indexOf(':');
    int slash = streamId.indexOf('/');
    if (colon < 0 || slash < colon) {
      throw new IllegalArgumentException("not a tenant stream id: " + streamId);
    }
    return new TenantStream(
        streamId.substring(0, colon),
        streamId.substring(colon + 1, slash),
        streamId.substring(slash + 1));
  }

  @Override
  public String toString() {
    return streamId();
  }
}
