package dev.comments.command.publish;

import java.time.Duration;
import java.util.Objects;

/**
 * How the publisher paces itself.
 *
 * @param topic the Kafka topic every event goes to
 * @param batchSize the most events in one Kafka transaction
 * @param pollTimeout how long the loop waits for a handed-off event before it checks in
 * @param sweepInterval how often the store's marks are searched for events not on Kafka (besides at
 *     start and after a failure): the path for events this publisher was never handed, such as
 *     those stored by a node whose publisher was fenced
 * @param maxBackoff the longest pause between attempts after a failure
 * @param queueCapacity the most handed-off events waiting; beyond it a stream is marked to be read
 *     back from the store instead
 * @param maxStreams how many streams' last sent seqs the publisher remembers (LRU)
 */
public record PublisherOptions(
    String topic,
    int batchSize,
    Duration pollTimeout,
    Duration sweepInterval,
    Duration maxBackoff,
    int queueCapacity,
    int maxStreams) {
  public PublisherOptions {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(pollTimeout, "pollTimeout");
    Objects.requireNonNull(sweepInterval, "sweepInterval");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
    }
    if (queueCapacity < 1 || maxStreams < 1) {
      throw new IllegalArgumentException("queueCapacity and maxStreams must be at least 1");
    }
  }

  public static PublisherOptions defaults(String topic) {
    return new PublisherOptions(
        topic,
        500,
        Duration.ofMillis(200),
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        100_000,
        100_000);
  }

  public PublisherOptions withSweepInterval(Duration interval) {
    return new PublisherOptions(
        topic, batchSize, pollTimeout, interval, maxBackoff, queueCapacity, maxStreams);
  }
}
