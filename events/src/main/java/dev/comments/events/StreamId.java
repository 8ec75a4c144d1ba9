package dev.comments.events;

/**
 * The id of one stream of the log: a thread ({@code tenant/thread}) or a tenant-scoped stream
 * ({@code kind:tenant/key}). The two shapes cannot be confused: a tenant id never holds a colon.
 */
public sealed interface StreamId permits ThreadId, TenantStream {
  String tenant();

  /** The stream id as the store and the Kafka key spell it. */
  String streamId();

  /** Reads either shape of stream id. */
  static StreamId parse(String streamId) {
    int slash = streamId.indexOf('/');
    if (slash > 0 && streamId.lastIndexOf(':', slash) > 0) {
      return TenantStream.ofStreamId(streamId);
    }
    return ThreadId.ofStreamId(streamId);
  }
}
