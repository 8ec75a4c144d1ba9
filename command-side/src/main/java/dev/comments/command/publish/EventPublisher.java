package dev.comments.command.publish;

import dev.comments.command.store.AppendListener;
import dev.comments.command.store.StoredEvents;
import dev.comments.command.store.StreamMarks;
import dev.comments.events.LoggedEvent;
import dev.comments.events.ReadPreference;
import dev.comments.events.StreamId;
import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.axonframework.eventhandling.DomainEventMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts every stored event on Kafka, keyed by its stream id so that a thread's events stay in one
 * partition and in order.
 *
 * <p>The fast path is a hand-off: the event store tells it of each append right after the insert
 * ({@link AppendListener}, in seq order per stream), and one loop thread sends what waits as one
 * Kafka transaction (idempotent, {@code acks=all}), then raises each stream's published mark. The
 * store is read only to recover, always by exact key: at start and after a failure, every stream
 * whose appended mark is above its published one ({@link StreamMarks}), and again every {@link
 * PublisherOptions#sweepInterval()}; a stream whose hand-off was lost (a full queue, a failed
 * append); and the seqs a stream skips, which it sends before the event that skips them. An event
 * is sent again rather than skipped when in doubt: consumers deduplicate by stream and seq.
 *
 * <p>Its Kafka {@code transactional.id} names the deployment, so a second publisher of it (a node
 * left over from a deploy) fences this one: this one's next transaction fails, it logs so, drops
 * what it holds and stops for good; the marks keep those events for the other's sweep. A failed
 * transaction for any other reason is aborted and sent again by a new producer.
 */
public final class EventPublisher implements AppendListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

  private final StreamMarks marks;
  private final StoredEvents stored;
  private final Supplier<Producer<String, byte[]>> producers;
  private final Runnable prepare;
  private final PublisherOptions options;
  private final Clock clock;
  private final EventCodec codec = new EventCodec();
  private final BlockingQueue<HandOff> queue;

  /** Streams whose hand-off was lost, to read back from the store, with when that happened. */
  private final Map<String, Long> rechecks = new ConcurrentHashMap<>();

  /** Epoch millis of the oldest event not yet acknowledged by Kafka; 0 when none waits. */
  private final AtomicLong oldestUnacknowledged = new AtomicLong();

  /** While the store is being read for missed events: when that began; 0 otherwise. */
  private volatile long recoveringSince;

  /** The last seq of each stream put in a batch (loop thread only), least recent evicted. */
  private final Map<String, Long> lastSent;

  private final Counter published;
  private final Counter recovered;
  private final Counter missing;
  private final Timer batchTimer;
  private final MeterRegistry meters;
  private final List<Meter> gauges = new ArrayList<>();
  private final Thread loop;
  private volatile boolean running;
  private volatile boolean fenced;
  private volatile boolean recoveredAtStart;
  private boolean prepared;
  private boolean sweepDue = true;
  private long nextSweep;
  private Producer<String, byte[]> producer;

  /** A batch sent but not acknowledged: sent again, before anything else. */
  private List<DomainEventMessage<?>> unacknowledged = List.of();

  private record HandOff(DomainEventMessage<?> event, long publishedBefore, long at) {}

  /**
   * @param producers makes a transactional producer ({@code acks=all}); called again after a failed
   *     transaction
   * @param prepare run (and retried) before the first batch, e.g. creating the topic
   */
  public EventPublisher(
      StreamMarks marks,
      StoredEvents stored,
      Supplier<Producer<String, byte[]>> producers,
      Runnable prepare,
      PublisherOptions options,
      MeterRegistry meters,
      Clock clock) {
    this.marks = Objects.requireNonNull(marks, "marks");
    this.stored = Objects.requireNonNull(stored, "stored");
    this.producers = Objects.requireNonNull(producers, "producers");
    this.prepare = Objects.requireNonNull(prepare, "prepare");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.meters = Objects.requireNonNull(meters, "meters");
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    int maxStreams = options.maxStreams();
    this.lastSent =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > maxStreams;
          }
        };
    this.published =
        Counter.builder("comments.publisher.published")
            .description("Events acknowledged by Kafka")
            .register(meters);
    this.recovered =
        Counter.builder("comments.publisher.recovered")
            .description("Events read back from the store by key rather than handed off")
            .register(meters);
    this.missing =
        Counter.builder("comments.publisher.missing")
            .description("Seqs a stream skips that the store does not hold either")
            .register(meters);
    this.batchTimer =
        Timer.builder("comments.publisher.batch")
            .description("Time to send a batch and commit it on Kafka")
            .register(meters);
    gauges.add(
        Gauge.builder("comments.publisher.lag.seconds", this, EventPublisher::lagSeconds)
            .description("Age of the oldest stored event not yet acknowledged by Kafka")
            .strongReference(true)
            .register(meters));
    gauges.add(
        Gauge.builder("comments.publisher.waiting", this, p -> p.queue.size() + p.rechecks.size())
            .description("Events handed off and streams to read back, not yet sent")
            .strongReference(true)
            .register(meters));
    gauges.add(
        Gauge.builder("comments.publisher.fenced", this, p -> p.fenced ? 1 : 0)
            .description("1 once another publisher of the deployment took over from this one")
            .strongReference(true)
            .register(meters));
    this.loop = Thread.ofPlatform().name("kafka-publisher").daemon().unstarted(this::run);
  }

  public void start() {
    running = true;
    loop.start();
  }

  /** Stops after the batch in flight. What was not acknowledged stays marked in the store. */
  @Override
  public void close() {
    running = false;
    try {
      if (!loop.join(Duration.ofSeconds(30))) {
        loop.interrupt();
        loop.join(Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // The gauges are bound to this publisher: let the next one (after a restart) register its own.
    gauges.forEach(meters::remove);
  }

  /** Whether the recovery at start is done: what was stored before is on Kafka. */
  boolean recoveredAtStart() {
    return recoveredAtStart;
  }

  /** Whether another publisher of the deployment fenced this one, which then stopped. */
  public boolean fenced() {
    return fenced;
  }

  @Override
  public void appended(String stream, List<DomainEventMessage<?>> events, long publishedBefore) {
    if (fenced) {
      return;
    }
    long at = clock.millis();
    for (DomainEventMessage<?> event : events) {
      if (!queue.offer(new HandOff(event, publishedBefore, at))) {
        // The rest of the stream is read back from the store, after what is queued of it.
        recheck(stream, at);
        return;
      }
      // After the offer: see settle(), which relies on this order.
      oldestUnacknowledged.compareAndSet(0, at);
    }
  }

  @Override
  public void appendFailed(String stream) {
    if (!fenced) {
      recheck(stream, clock.millis());
    }
  }

  private void recheck(String stream, long at) {
    rechecks.putIfAbsent(stream, at);
    oldestUnacknowledged.compareAndSet(0, at);
  }

  double lagSeconds() {
    long oldest = oldestUnacknowledged.get();
    long recovering = recoveringSince;
    if (recovering != 0 && (oldest == 0 || recovering < oldest)) {
      oldest = recovering;
    }
    return oldest == 0 ? 0 : Math.max(0, clock.millis() - oldest) / 1000.0;
  }

  private void run() {
    Duration backoff = FIRST_BACKOFF;
    while (running) {
      try {
        if (producer == null) {
          startProducer();
        }
        if (!unacknowledged.isEmpty()) {
          send(unacknowledged);
        }
        if (sweepDue || System.nanoTime() - nextSweep >= 0) {
          sweep();
          recoveredAtStart = true;
        }
        if (!rechecks.isEmpty()) {
          readBackRechecks();
        }
        sendHandedOff();
        backoff = FIRST_BACKOFF;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        if (isFenced(e)) {
          stopFenced(e);
          break;
        }
        if (!running) {
          break;
        }
        log.warn("Publishing failed; sending the unacknowledged events again in {}", backoff, e);
        closeProducer();
        // Events taken but not yet in a batch are known only to the marks now: forget what was
        // planned and read forward from the marks again, after the unacknowledged batch.
        lastSent.clear();
        sweepDue = true;
        if (!sleep(backoff)) {
          break;
        }
        backoff = min(backoff.multipliedBy(2), options.maxBackoff());
      }
    }
    closeProducer();
  }

  private void startProducer() {
    if (!prepared) {
      prepare.run();
      prepared = true;
    }
    producer = producers.get();
    // Fences any older producer of the same transactional id and aborts its open transaction.
    producer.initTransactions();
  }

  /** Every stream the marks say may hold events not on Kafka, read forward by key. */
  private void sweep() throws InterruptedException {
    sweepDue = false;
    nextSweep = System.nanoTime() + options.sweepInterval().toNanos();
    List<StreamMarks.Marks> unpublished = marks.unpublished(ReadPreference.PRIMARY);
    if (unpublished.isEmpty()) {
      return;
    }
    recoveringSince = clock.millis();
    try {
      List<DomainEventMessage<?>> batch = new ArrayList<>();
      for (StreamMarks.Marks stream : unpublished) {
        long last = lastSent.getOrDefault(stream.stream(), -1L);
        readForward(stream.stream(), Math.max(last, stream.published()), batch);
      }
      sendIfAny(batch);
    } finally {
      recoveringSince = 0;
    }
  }

  private void readBackRechecks() throws InterruptedException {
    List<DomainEventMessage<?>> batch = new ArrayList<>();
    try {
      for (String stream : List.copyOf(rechecks.keySet())) {
        Long since = rechecks.remove(stream);
        if (since != null && (recoveringSince == 0 || since < recoveringSince)) {
          recoveringSince = since;
        }
        Long last = lastSent.get(stream);
        long base =
            last != null
                ? last
                : marks
                    .find(stream, ReadPreference.PRIMARY)
                    .map(StreamMarks.Marks::published)
                    .orElse(-1L);
        readForward(stream, base, batch);
      }
      sendIfAny(batch);
    } finally {
      recoveringSince = 0;
    }
  }

  /** Adds the stream's stored events after {@code base}, read by key until one is absent. */
  private void readForward(String stream, long base, List<DomainEventMessage<?>> batch)
      throws InterruptedException {
    for (long seq = base + 1; ; seq++) {
      Optional<DomainEventMessage<?>> event = stored.find(stream, seq, ReadPreference.PRIMARY);
      if (event.isEmpty()) {
        return;
      }
      batch.add(event.get());
      lastSent.put(stream, seq);
      recovered.increment();
      if (batch.size() >= options.batchSize()) {
        send(List.copyOf(batch));
        batch.clear();
      }
    }
  }

  /** One transaction of what was handed off, each stream's skipped seqs read back before it. */
  private void sendHandedOff() throws InterruptedException {
    HandOff first = queue.poll(options.pollTimeout().toMillis(), TimeUnit.MILLISECONDS);
    if (first == null) {
      return;
    }
    List<HandOff> taken = new ArrayList<>(options.batchSize());
    taken.add(first);
    queue.drainTo(taken, options.batchSize() - 1);
    List<DomainEventMessage<?>> batch = new ArrayList<>(taken.size());
    for (HandOff handOff : taken) {
      DomainEventMessage<?> event = handOff.event();
      String stream = event.getAggregateIdentifier();
      long seq = event.getSequenceNumber();
      Long last = lastSent.get(stream);
      if (last != null && seq <= last) {
        continue; // already read back from the store and sent
      }
      long base = last != null ? last : handOff.publishedBefore();
      for (long skipped = base + 1; skipped < seq; skipped++) {
        Optional<DomainEventMessage<?>> earlier =
            stored.find(stream, skipped, ReadPreference.PRIMARY);
        if (earlier.isPresent()) {
          batch.add(earlier.get());
          recovered.increment();
        } else {
          log.error(
              "Stream {} has no event {} in the store; publishing on without it", stream, skipped);
          missing.increment();
        }
      }
      batch.add(event);
      lastSent.put(stream, seq);
    }
    sendIfAny(batch);
  }

  private void sendIfAny(List<DomainEventMessage<?>> batch) throws InterruptedException {
    if (!batch.isEmpty()) {
      send(List.copyOf(batch));
    }
  }

  /**
   * Sends the batch as one transaction and returns once Kafka committed it: every record
   * acknowledged by the in-sync replicas. Only then are the published marks raised.
   */
  private void send(List<DomainEventMessage<?>> batch) throws InterruptedException {
    unacknowledged = batch;
    // An event's age counts from its timestamp (Axon's clock), but never from later than now on
    // this publisher's clock: a hand-off taken before its offer set the mark is counted too.
    long now = clock.millis();
    for (DomainEventMessage<?> event : batch) {
      oldestUnacknowledged.accumulateAndGet(
          Math.min(event.getTimestamp().toEpochMilli(), now), EventPublisher::earlierNonZero);
    }
    long started = System.nanoTime();
    producer.beginTransaction();
    for (DomainEventMessage<?> event : batch) {
      EventEnvelope envelope = envelopeOf(event);
      producer.send(
          new ProducerRecord<>(
              options.topic(), envelope.stream().streamId(), codec.encode(envelope)));
    }
    // Flushes, and fails if any record was not acknowledged; then nothing of it is visible.
    producer.commitTransaction();
    batchTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    unacknowledged = List.of();
    markPublished(batch);
    settle();
    published.increment(batch.size());
  }

  private void markPublished(List<DomainEventMessage<?>> batch) {
    Map<String, Long> lastByStream = new HashMap<>();
    for (DomainEventMessage<?> event : batch) {
      lastByStream.merge(event.getAggregateIdentifier(), event.getSequenceNumber(), Math::max);
    }
    try {
      marks.markPublished(lastByStream);
    } catch (RuntimeException e) {
      // A mark left low only makes a later recovery send these again, which consumers ignore.
      log.warn(
          "Could not record {} streams as published; they may be sent again",
          lastByStream.size(),
          e);
    }
  }

  /**
   * After an acknowledgement: the lag restarts from the oldest event still waiting. A hand-off
   * offers, then sets the mark if there is none; so whichever of the two runs first, an event
   * offered while this runs is counted: seen in the queue here, or setting the mark after it.
   */
  private void settle() {
    while (true) {
      long oldest = oldestWaiting();
      oldestUnacknowledged.set(oldest);
      if (oldest != 0 || (queue.isEmpty() && rechecks.isEmpty())) {
        return;
      }
    }
  }

  private long oldestWaiting() {
    long oldest = 0;
    HandOff head = queue.peek();
    if (head != null) {
      oldest = head.at();
    }
    for (long at : rechecks.values()) {
      oldest = earlierNonZero(oldest, at);
    }
    return oldest;
  }

  private static long earlierNonZero(long a, long b) {
    if (a == 0) {
      return b;
    }
    return b == 0 ? a : Math.min(a, b);
  }

  private static EventEnvelope envelopeOf(DomainEventMessage<?> domain) {
    if (!(domain.getPayload() instanceof LoggedEvent event)) {
      // Only the contract's aggregates write to this store; anything else is a bug to stop at.
      throw new IllegalStateException(
          "not a contract event: " + domain.getIdentifier() + " " + domain.getPayloadType());
    }
    return new EventEnvelope(
        domain.getIdentifier(),
        StreamId.parse(domain.getAggregateIdentifier()),
        domain.getSequenceNumber(),
        domain.getTimestamp(),
        event);
  }

  private static boolean isFenced(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ProducerFencedException
          || cause instanceof InvalidProducerEpochException) {
        return true;
      }
    }
    return false;
  }

  private void stopFenced(RuntimeException e) {
    fenced = true;
    running = false;
    log.error(
        "This publisher was fenced: another publisher of topic {} started with the same"
            + " transactional id. It stops publishing; {} events waiting here stay marked in the"
            + " store for the other one to send.",
        options.topic(),
        queue.size() + unacknowledged.size(),
        e);
    queue.clear();
    rechecks.clear();
    unacknowledged = List.of();
    oldestUnacknowledged.set(0);
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

  private boolean sleep(Duration pause) {
    try {
      Thread.sleep(pause);
      return running;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
