package dev.comments.command.thread;

import dev.comments.command.IdempotencyKeys;
import java.util.Objects;
import org.axonframework.messaging.MetaData;

/**
 * How a thread command carries its idempotency key: in its {@link MetaData}, which the thread
 * copies onto the event it applies. The event store keeps it there, so a thread loaded from its
 * events knows which keys it applied; the events contract (and Kafka) never see it.
 */
public final class KeyedCommands {
  static final String KEY = "idempotencyKey";
  static final String REQUEST_HASH = "requestHash";

  private KeyedCommands() {}

  /** Whether a command with this metadata is sent under an idempotency key. */
  public static boolean isKeyed(MetaData meta) {
    return meta.containsKey(KEY);
  }

  /** The metadata of a command sent under {@code key} for the request {@code requestHash}. */
  public static MetaData metaData(IdempotencyKeys.Key key, String requestHash) {
    return MetaData.with(KEY, key.id())
        .and(REQUEST_HASH, Objects.requireNonNull(requestHash, "requestHash"));
  }
}
