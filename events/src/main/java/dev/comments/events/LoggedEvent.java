package dev.comments.events;

/**
 * Everything the event log carries. Each event names the stream it belongs to, so a stream can be
 * rebuilt from the events alone: a thread's ({@link CommentEvent}) or a tenant-scoped one such as a
 * media item's ({@link MediaEvent}). Its schema version lives in {@link
 * dev.comments.events.codec.EventTypes}.
 */
public sealed interface LoggedEvent permits CommentEvent, MediaEvent, BanEvent {
  String tenant();

  /** The stream this event belongs to: its Kafka key and the aggregate it was stored under. */
  StreamId stream();
}
