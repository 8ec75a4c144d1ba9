package dev.comments.command.publish;

import dev.comments.events.CommentEvent;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.StreamableMessageSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts every stored event on Kafka, in store order, keyed by its stream id so that each thread's
 * events stay in one partition and in order.
 *
 * <p>One loop thread reads a batch from the event store, sends it, waits until Kafka has
 * acknowledged every record, and only then moves its persisted position past the batch. A crash at
 * any point therefore re-sends at most the unacknowledged batch (consumers dedupe by stream and
 * seq) and never skips an event. After a failure it backs off, starts a fresh producer and reads
 * again from the persisted position. The position is claimed in the token store under {@value
 * #PROCESSOR_NAME}, which keeps two publishers from running at once.
 *
 * <p>The store's global stream can pass over an event committed long after its timestamp, so each
 * batch goes through {@link StreamContinuity} first: an event whose thread skips seqs is preceded
 * by the missing events, read back from the store by thread, in the same acknowledged batch.
 */
public final class EventPublisher implements AutoCloseable {
  public static final String PROCESSOR_NAME = "kafka-publisher";
  private static final int SEGMENT = 0;
  private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

  private final StreamableMessageSource<TrackedEventMessage<?>> events;
  private final TokenStore tokens;
  private final Supplier<Producer<String, byte[]>> producers;
  private final Runnable prepare;
  private final PublisherOptions options;
  private final Clock clock;
  private final EventCodec codec = new EventCodec();
  private final Counter published;
  private final Counter gapsRepaired;
  private final Counter gapsUnrepairable;
  private final StreamContinuity continuity;
  private final Timer batchTimer;
  private final MeterRegistry meters;
  private final Gauge lag;

  /** Epoch millis of the oldest event read but not yet acknowledged; 0 when there is none. */
  private final AtomicLong oldestUnacknowledged = new AtomicLong();

  private final Thread loop;
  private volatile boolean running;
  private Producer<String, byte[]> producer;

  /**
   * @param store the event store to read, in global order and, to fill gaps, by thread
   * @param tokens where the position is claimed and persisted
   * @param producers makes a producer (idempotent, acks=all); called again after a send failure
   * @param prepare run (and retried) before the first batch, e.g. creating the topic
   */
  public EventPublisher(
      EventStore store,
      TokenStore tokens,
      Supplier<Producer<String, byte[]>> producers,
      Runnable prepare,
      PublisherOptions options,
      MeterRegistry meters,
      Clock clock) {
    this(store, store, tokens, producers, prepare, options, meters, clock);
  }

  /** With a global stream other than the store's own, so tests can make it skip events. */
  EventPublisher(
      StreamableMessageSource<TrackedEventMessage<?>> events,
      EventStore store,
      TokenStore tokens,
      Supplier<Producer<String, byte[]>> producers,
      Runnable prepare,
      PublisherOptions options,
      MeterRegistry meters,
      Clock clock) {
    this.events = Objects.requireNonNull(events, "events");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.producers = Objects.requireNonNull(producers, "producers");
    this.prepare = Objects.requireNonNull(prepare, "prepare");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.continuity =
        new StreamContinuity(
            Objects.requireNonNull(store, "store"),
            StreamContinuity.DEFAULT_MAX_STREAMS,
            clock.instant());
    this.published =
        Counter.builder("comments.publisher.published")
            .description("Events acknowledged by Kafka")
            .register(meters);
    this.gapsRepaired =
        Counter.builder("comments.publisher.gaps.repaired")
            .description("Events the global stream skipped, re-read by thread and published")
            .register(meters);
    this.gapsUnrepairable =
        Counter.builder("comments.publisher.gaps.unrepairable")
            .description("Events missing from a thread's seqs that the store does not have either")
            .register(meters);
    this.batchTimer =
        Timer.builder("comments.publisher.batch")
            .description("Time to send a batch and have Kafka acknowledge all of it")
            .register(meters);
    this.meters = meters;
    this.lag =
        Gauge.builder("comments.publisher.lag.seconds", this, EventPublisher::lagSeconds)
            .description(
                "Age of the oldest stored event not yet acknowledged by Kafka; 0 when idle")
            .strongReference(true)
            .register(meters);
    this.loop = Thread.ofPlatform().name("kafka-publisher").daemon().unstarted(this::run);
  }

  public void start() {
    running = true;
    loop.start();
  }

  /** Stops after the batch in flight; its position is persisted if Kafka acknowledged it. */
  @Override
  public void close() {
    running = false;
    try {
      loop.join(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // A gauge is bound to this publisher: let the next one (after a restart) register its own.
    meters.remove(lag);
  }

  double lagSeconds() {
    long oldest = oldestUnacknowledged.get();
    return oldest == 0 ? 0 : Math.max(0, clock.millis() - oldest) / 1000.0;
  }

  private void run() {
    Duration backoff = Duration.ofMillis(100);
    boolean prepared = false;
    while (running) {
      try {
        if (!prepared) {
          prepare.run();
          prepared = true;
        }
        publishFromPersistedPosition();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        if (e instanceof UnableToClaimTokenException) {
          log.info("Another publisher holds the position; retrying in {}", backoff);
        } else {
          log.warn(
              "Publishing failed; resuming from the last persisted position in {}", backoff, e);
        }
        closeProducer();
        if (!sleep(backoff)) {
          break;
        }
        backoff = min(backoff.multipliedBy(2), options.maxBackoff());
        continue;
      }
      backoff = Duration.ofMillis(100);
    }
    closeProducer();
    releaseClaim();
  }

  /** Runs until stopped (returns) or until something fails (throws). */
  private void publishFromPersistedPosition() throws InterruptedException {
    TrackingToken position = claimPosition();
    if (producer == null) {
      producer = producers.get();
    }
    try (BlockingStream<TrackedEventMessage<?>> stream = events.openStream(position)) {
      long lastClaimRenewal = System.nanoTime();
      while (running) {
        List<TrackedEventMessage<?>> batch = readBatch(stream);
        if (batch.isEmpty()) {
          if (System.nanoTime() - lastClaimRenewal >= options.claimRenewal().toNanos()) {
            tokens.extendClaim(PROCESSOR_NAME, SEGMENT);
            lastClaimRenewal = System.nanoTime();
          }
          continue;
        }
        StreamContinuity.Plan plan = continuity.plan(batch);
        long started = System.nanoTime();
        // Re-read events predate the batch: the lag is the age of the oldest send.
        oldestUnacknowledged.set(
            plan.sends().stream().mapToLong(e -> e.getTimestamp().toEpochMilli()).min().orElse(0));
        sendAndAwait(plan.sends());
        tokens.storeToken(batch.getLast().trackingToken(), PROCESSOR_NAME, SEGMENT);
        lastClaimRenewal = System.nanoTime();
        batchTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        oldestUnacknowledged.set(0);
        continuity.acknowledged(plan);
        published.increment(plan.sends().size());
        gapsRepaired.increment(plan.repaired());
        gapsUnrepairable.increment(plan.unrepairable());
      }
    }
  }

  private TrackingToken claimPosition() {
    if (tokens.fetchSegments(PROCESSOR_NAME).length == 0) {
      try {
        tokens.initializeTokenSegments(PROCESSOR_NAME, 1);
      } catch (RuntimeException raced) {
        // Another node initialized it first: fine, the claim below decides who publishes.
        log.debug("Position of {} already initialized", PROCESSOR_NAME, raced);
      }
    }
    return tokens.fetchToken(PROCESSOR_NAME, SEGMENT);
  }

  private List<TrackedEventMessage<?>> readBatch(BlockingStream<TrackedEventMessage<?>> stream)
      throws InterruptedException {
    List<TrackedEventMessage<?>> batch = new ArrayList<>();
    if (stream.hasNextAvailable((int) options.pollTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
      do {
        batch.add(stream.nextAvailable());
      } while (batch.size() < options.batchSize() && stream.hasNextAvailable());
    }
    return batch;
  }

  private void sendAndAwait(List<DomainEventMessage<?>> sends) throws InterruptedException {
    List<Future<RecordMetadata>> acks = new ArrayList<>(sends.size());
    for (DomainEventMessage<?> message : sends) {
      EventEnvelope envelope = envelopeOf(message);
      acks.add(
          producer.send(
              new ProducerRecord<>(
                  options.topic(), envelope.stream().streamId(), codec.encode(envelope))));
    }
    producer.flush();
    for (Future<RecordMetadata> ack : acks) {
      try {
        ack.get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("Kafka did not acknowledge an event", e.getCause());
      }
    }
  }

  private static EventEnvelope envelopeOf(DomainEventMessage<?> domain) {
    if (!(domain.getPayload() instanceof CommentEvent event)) {
      // Only thread aggregates write to this store; anything else is a bug to stop at, not skip.
      throw new IllegalStateException(
          "not a thread event: " + domain.getIdentifier() + " " + domain.getPayloadType());
    }
    return new EventEnvelope(
        domain.getIdentifier(),
        ThreadId.ofStreamId(domain.getAggregateIdentifier()),
        domain.getSequenceNumber(),
        domain.getTimestamp(),
        event);
  }

  private void closeProducer() {
    if (producer != null) {
      try {
        producer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("Closing the Kafka producer failed", e);
      }
      producer = null;
    }
  }

  private void releaseClaim() {
    try {
      tokens.releaseClaim(PROCESSOR_NAME, SEGMENT);
    } catch (RuntimeException e) {
      log.warn("Could not release the publisher's claim; it expires by itself", e);
    }
  }

  private boolean sleep(Duration pause) {
    long until = System.nanoTime() + pause.toNanos();
    try {
      while (running && System.nanoTime() < until) {
        Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return running;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
