package dev.comments.command.publish;

import java.time.Duration;
import java.util.Objects;

/**
 * How the publisher paces itself.
 *
 * @param topic the Kafka topic every event goes to
 * @param batchSize the most events read before waiting for Kafka to acknowledge them
 * @param pollTimeout how long one read waits for a new event before the loop checks in
 * @param claimRenewal how often an idle publisher renews its claim on the position
 * @param maxBackoff the longest pause between attempts after a failure
 */
public record PublisherOptions(
    String topic, int batchSize, Duration pollTimeout, Duration claimRenewal, Duration maxBackoff) {
  public PublisherOptions {
    Objects.requireNonNull(topic, "topic");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
    }
  }

  public static PublisherOptions defaults(String topic) {
    return new PublisherOptions(
        topic, 500, Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(10));
  }
}
