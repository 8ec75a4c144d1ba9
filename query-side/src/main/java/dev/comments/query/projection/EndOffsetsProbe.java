package dev.comments.query.projection;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the brokers for the end offsets of every partition of the log about every {@link #INTERVAL}
 * and hands each answer, with the moment its request was sent, to {@link ConsumerStatus#probed}:
 * the measurements behind the staleness bound. It runs on a thread of its own with an admin client
 * of its own, because the consumer's {@code KafkaConsumer} is not thread-safe and a consumer stuck
 * in a slow batch must not stop the bound from being measured. One request at a time: across a WAN
 * the bound's resolution is then a round trip or two, which is what it costs to know anything. A
 * request that fails or times out records nothing, so the status sees the log as unreached.
 */
final class EndOffsetsProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EndOffsetsProbe.class);

  static final Duration INTERVAL = Duration.ofMillis(100);
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final Admin admin;
  private final Map<TopicPartition, OffsetSpec> request = new HashMap<>();
  private final ConsumerStatus status;
  private final Thread thread;
  private volatile boolean running = true;

  private EndOffsetsProbe(
      Admin admin, List<TopicPartition> partitions, ConsumerStatus status, String name) {
    this.admin = admin;
    partitions.forEach(partition -> request.put(partition, OffsetSpec.latest()));
    this.status = status;
    this.thread = Thread.ofPlatform().name(name).unstarted(this::run);
  }

  /**
   * Starts probing {@code partitions} with an admin client made from {@code adminConfig}; {@link
   * #close()} stops the thread and closes the client.
   */
  static EndOffsetsProbe start(
      Properties adminConfig, List<TopicPartition> partitions, ConsumerStatus status, String name) {
    EndOffsetsProbe probe =
        new EndOffsetsProbe(Admin.create(adminConfig), partitions, status, name);
    probe.thread.start();
    return probe;
  }

  /** Stops probing and waits for the thread to end; an answer in flight is dropped. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("end offsets probe {} did not stop within 5 s", thread.getName());
    }
    admin.close(TIMEOUT);
  }

  private void run() {
    // Committed records only, as the consumer reads them: an open transaction's records are not
    // yet in the log for any reader.
    ListOffsetsOptions options =
        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED).timeoutMs((int) TIMEOUT.toMillis());
    boolean reached = true;
    while (running) {
      long next = System.nanoTime() + INTERVAL.toNanos();
      Instant sentAt = status.now();
      try {
        Map<TopicPartition, ListOffsetsResultInfo> answer =
            admin
                .listOffsets(request, options)
                .all()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> ends = new HashMap<>();
        answer.forEach((partition, info) -> ends.put(partition, info.offset()));
        status.probed(sentAt, ends);
        if (!reached) {
          log.info("end offsets probe {} reaches the log again", thread.getName());
          reached = true;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        if (reached) {
          log.warn(
              "end offsets probe {} cannot reach the log; reads will be flagged stale: {}",
              thread.getName(),
              (e instanceof ExecutionException ? e.getCause() : e).toString());
          reached = false;
        }
      }
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
