package dev.comments.edge.live;

import java.time.Duration;

/**
 * What one node grants live readers, so that its memory stays bounded whatever clients do.
 *
 * @param connectionsPerAddress open websockets and event streams per client address (IPv4, or IPv6
 *     /64); the next is refused with 4429 (websocket) or 429 (stream)
 * @param subscriptionsPerConnection threads one websocket may follow; the next closes it with 4429
 * @param queuedMessages messages handed to a connection and not yet written; beyond it the reader
 *     is behind: it gets no more updates, then one {@code resync} once it has drained
 * @param behindTimeout how long a reader may stay behind before its connection is closed (4408)
 * @param pingInterval how often an idle websocket is pinged (an event stream gets a comment line)
 * @param idleTimeout a websocket that sends nothing, not even a pong, for this long is closed
 * @param presenceInterval how often at most a thread's viewer count is pushed when it changed
 * @param maxFrameBytes the largest text frame a client may send (1009 beyond it)
 */
public record LiveLimits(
    int connectionsPerAddress,
    int subscriptionsPerConnection,
    int queuedMessages,
    Duration behindTimeout,
    Duration pingInterval,
    Duration idleTimeout,
    Duration presenceInterval,
    int maxFrameBytes) {
  public static final LiveLimits DEFAULTS =
      new LiveLimits(
          100,
          16,
          256,
          Duration.ofSeconds(10),
          Duration.ofSeconds(25),
          Duration.ofSeconds(60),
          Duration.ofSeconds(1),
          4096);

  public LiveLimits {
    if (connectionsPerAddress < 1
        || subscriptionsPerConnection < 1
        || queuedMessages < 1
        || maxFrameBytes < 256) {
      throw new IllegalArgumentException(
          "live limits must be positive (frames at least 256 bytes)");
    }
    for (Duration duration :
        new Duration[] {behindTimeout, pingInterval, idleTimeout, presenceInterval}) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("live timeouts must be positive");
      }
    }
  }
}
