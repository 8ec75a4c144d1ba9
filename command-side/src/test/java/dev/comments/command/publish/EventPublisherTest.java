package dev.comments.command.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.comments.events.Author;
import dev.comments.events.CommentPosted;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.StreamableMessageSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher's loop against Axon's in-memory event store and Kafka's own MockProducer: order,
 * keys, the persisted position, what happens when Kafka refuses a record, and how a thread's
 * skipped seqs are filled from the store.
 */
class EventPublisherTest {
  private static final String TOPIC = "comments.events";
  private static final ThreadId T1 = new ThreadId("demo", "t1");
  private static final ThreadId T2 = new ThreadId("demo", "t2");
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  /** Counts reads by thread, the publisher's way of filling a gap. */
  private final AtomicInteger readsByThread = new AtomicInteger();

  private final EmbeddedEventStore store =
      EmbeddedEventStore.builder()
          .storageEngine(
              new InMemoryEventStorageEngine() {
                @Override
                public DomainEventStream readEvents(String aggregateIdentifier, long first) {
                  readsByThread.incrementAndGet();
                  return super.readEvents(aggregateIdentifier, first);
                }
              })
          .build();

  private final InMemoryTokenStore tokens = new InMemoryTokenStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final EventCodec codec = new EventCodec();
  private final List<MockProducer<String, byte[]>> producers = new ArrayList<>();
  private EventPublisher publisher;

  @AfterEach
  void tearDown() {
    if (publisher != null) {
      publisher.close();
    }
    store.shutDown();
  }

  private void append(ThreadId thread, long seq) {
    String commentId = thread.thread() + "-c" + seq;
    CommentPosted event =
        new CommentPosted(
            thread.tenant(),
            thread.thread(),
            commentId,
            null,
            Author.anonymous("s-1", "Ann"),
            "text " + seq,
            T0);
    store.publish(
        new GenericDomainEventMessage<>(
            "CommentThread",
            thread.streamId(),
            seq,
            event,
            MetaData.emptyInstance(),
            UUID.randomUUID().toString(),
            Instant.now()));
  }

  private EventPublisher start(Supplier<Producer<String, byte[]>> producerFactory) {
    return start(store, producerFactory);
  }

  private EventPublisher start(
      StreamableMessageSource<TrackedEventMessage<?>> globalStream,
      Supplier<Producer<String, byte[]>> producerFactory) {
    publisher =
        new EventPublisher(
            globalStream,
            store,
            tokens,
            producerFactory,
            () -> {},
            new PublisherOptions(
                TOPIC, 3, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofMillis(200)),
            meters,
            Clock.systemUTC());
    publisher.start();
    return publisher;
  }

  private Supplier<Producer<String, byte[]>> healthyProducers() {
    return () -> {
      MockProducer<String, byte[]> producer =
          new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
      producers.add(producer);
      return producer;
    };
  }

  private double count(String meter) {
    return meters.counter(meter).count();
  }

  private List<EventEnvelope> decoded(List<ProducerRecord<String, byte[]>> records) {
    return records.stream().map(r -> codec.decode(r.value())).toList();
  }

  private static List<String> positions(List<EventEnvelope> envelopes) {
    return envelopes.stream().map(e -> e.stream() + "#" + e.seq()).toList();
  }

  @Test
  void publishes_every_stored_event_in_store_order_keyed_by_its_thread() {
    append(T1, 0);
    append(T2, 0);
    append(T1, 1);
    append(T1, 2);
    append(T2, 1);
    start(healthyProducers());

    await().atMost(Duration.ofSeconds(10)).until(() -> producers.getFirst().history().size() == 5);
    List<ProducerRecord<String, byte[]>> sent = producers.getFirst().history();
    assertThat(positions(decoded(sent)))
        .containsExactly("demo/t1#0", "demo/t2#0", "demo/t1#1", "demo/t1#2", "demo/t2#1");
    assertThat(sent).allSatisfy(r -> assertThat(r.topic()).isEqualTo(TOPIC));
    assertThat(sent)
        .allSatisfy(
            r -> assertThat(r.key()).isEqualTo(codec.decode(r.value()).stream().streamId()));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> meters.counter("comments.publisher.published").count() == 5.0);
  }

  @Test
  void resumes_after_a_restart_from_the_persisted_position_without_republishing() {
    append(T1, 0);
    append(T1, 1);
    start(healthyProducers());
    await().atMost(Duration.ofSeconds(10)).until(() -> producers.getFirst().history().size() == 2);
    publisher.close();

    append(T1, 2);
    start(healthyProducers());

    await().atMost(Duration.ofSeconds(10)).until(() -> producers.get(1).history().size() == 1);
    assertThat(positions(decoded(producers.get(1).history()))).containsExactly("demo/t1#2");
  }

  @Test
  void after_a_refused_record_resends_from_the_persisted_position_and_skips_nothing() {
    append(T1, 0);
    append(T1, 1);
    append(T1, 2);
    append(T2, 0);
    AtomicBoolean failed = new AtomicBoolean();
    Supplier<Producer<String, byte[]>> factory =
        () -> {
          MockProducer<String, byte[]> producer =
              new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
                @Override
                public synchronized Future<RecordMetadata> send(
                    ProducerRecord<String, byte[]> record) {
                  // The first producer loses the second record of the first batch.
                  if (producers.size() == 1
                      && history().size() == 1
                      && failed.compareAndSet(false, true)) {
                    return CompletableFuture.failedFuture(new TimeoutException("broker gone"));
                  }
                  return super.send(record);
                }
              };
          producers.add(producer);
          return producer;
        };
    start(factory);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> producers.size() == 2 && producers.get(1).history().size() == 4);
    assertThat(producers.getFirst().closed()).isTrue();
    // The batch that failed is sent again from its start: t1#0 twice in total, nothing missing.
    assertThat(positions(decoded(producers.get(1).history())))
        .containsExactly("demo/t1#0", "demo/t1#1", "demo/t1#2", "demo/t2#0");
  }

  @Test
  void reports_no_lag_when_everything_is_acknowledged() {
    append(T1, 0);
    start(healthyProducers());
    await().atMost(Duration.ofSeconds(10)).until(() -> producers.getFirst().history().size() == 1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> meters.get("comments.publisher.lag.seconds").gauge().value() == 0.0);
    assertThat(meters.get("comments.publisher.batch").timer().count()).isEqualTo(1);
  }

  @Test
  void reports_the_age_of_the_oldest_unacknowledged_event_while_kafka_does_not_answer() {
    append(T1, 0);
    start(
        () -> {
          MockProducer<String, byte[]> producer =
              new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer()) {
                @Override
                public synchronized void flush() {
                  // Kafka never acknowledges: the batch stays in flight.
                }
              };
          producers.add(producer);
          return producer;
        });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !producers.isEmpty() && producers.getFirst().history().size() == 1);
    // The event's timestamp is the wall clock at append, so its age grows while it waits.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> meters.get("comments.publisher.lag.seconds").gauge().value() > 0.0);
    producers.getFirst().errorNext(new TimeoutException("gave up"));
  }

  @Test
  void sends_an_event_the_global_stream_skipped_before_its_successor() {
    append(T1, 0);
    start(skipping(T1, 1), healthyProducers());
    await().atMost(Duration.ofSeconds(10)).until(() -> producers.getFirst().history().size() == 1);

    // t1#1 is stored but, like an insert that landed after the look-back window, never streamed.
    append(T1, 1);
    append(T1, 2);
    append(T2, 0);
    append(T1, 3);

    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 5);
    assertThat(positions(decoded(producers.getFirst().history())))
        .containsExactly("demo/t1#0", "demo/t1#1", "demo/t1#2", "demo/t2#0", "demo/t1#3");
    assertThat(count("comments.publisher.gaps.repaired")).isEqualTo(1.0);
    assertThat(count("comments.publisher.gaps.unrepairable")).isZero();
    assertThat(readsByThread).hasValue(1);
  }

  @Test
  void sends_the_first_event_of_a_thread_the_global_stream_skipped() {
    start(skipping(T1, 0), healthyProducers());
    // t1#0, like an insert that landed after the look-back window, is never streamed: t1#1 is the
    // first event of t1 the publisher sees, so it has no seq to find the gap with.
    append(T1, 0);
    append(T1, 1);

    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 2);
    assertThat(positions(decoded(producers.getFirst().history())))
        .containsExactly("demo/t1#0", "demo/t1#1");
    assertThat(readsByThread).hasValue(1);
  }

  @Test
  void reads_nothing_back_when_no_thread_skips_a_seq() {
    append(T1, 0);
    start(healthyProducers());
    await().atMost(Duration.ofSeconds(10)).until(() -> producers.getFirst().history().size() == 1);
    append(T1, 1);
    append(T2, 0);
    append(T1, 2);
    append(T1, 3);
    append(T2, 1);

    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 6);
    assertThat(positions(decoded(producers.getFirst().history())))
        .containsExactly(
            "demo/t1#0", "demo/t1#1", "demo/t2#0", "demo/t1#2", "demo/t1#3", "demo/t2#1");
    assertThat(count("comments.publisher.gaps.repaired")).isZero();
    assertThat(readsByThread).hasValue(0);
  }

  @Test
  void publishes_on_and_counts_a_gap_the_store_cannot_fill() {
    append(T1, 0);
    start(healthyProducers());
    await().atMost(Duration.ofSeconds(10)).until(() -> producers.getFirst().history().size() == 1);

    // Seqs 1 and 2 were never stored: nothing to re-read, and t1#3 must not wait for them.
    append(T1, 3);
    append(T1, 4);

    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 3);
    assertThat(positions(decoded(producers.getFirst().history())))
        .containsExactly("demo/t1#0", "demo/t1#3", "demo/t1#4");
    assertThat(count("comments.publisher.gaps.unrepairable")).isEqualTo(2.0);
    assertThat(count("comments.publisher.gaps.repaired")).isZero();
  }

  /** The store's global stream without one event, as if it had been inserted too late. */
  private StreamableMessageSource<TrackedEventMessage<?>> skipping(ThreadId thread, long seq) {
    Predicate<TrackedEventMessage<?>> skipped =
        m ->
            m instanceof DomainEventMessage<?> d
                && d.getAggregateIdentifier().equals(thread.streamId())
                && d.getSequenceNumber() == seq;
    return token -> {
      BlockingStream<TrackedEventMessage<?>> stream = store.openStream(token);
      return new BlockingStream<>() {
        @Override
        public boolean hasNextAvailable(int timeout, TimeUnit unit) throws InterruptedException {
          while (stream.hasNextAvailable(timeout, unit)) {
            if (!skipped.test(stream.peek().orElseThrow())) {
              return true;
            }
            stream.nextAvailable();
          }
          return false;
        }

        @Override
        public TrackedEventMessage<?> nextAvailable() throws InterruptedException {
          TrackedEventMessage<?> next = stream.nextAvailable();
          while (skipped.test(next)) {
            next = stream.nextAvailable();
          }
          return next;
        }

        @Override
        public Optional<TrackedEventMessage<?>> peek() {
          return stream.peek().filter(skipped.negate());
        }

        @Override
        public void close() {
          stream.close();
        }
      };
    };
  }
}
