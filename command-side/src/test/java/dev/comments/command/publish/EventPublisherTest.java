package dev.comments.command.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.comments.command.store.ContractUpcaster;
import dev.comments.command.store.EventSerialization;
import dev.comments.command.store.MarkingStorageEngine;
import dev.comments.command.store.StoredEvents;
import dev.comments.command.store.StreamMarks;
import dev.comments.events.Author;
import dev.comments.events.CommentPosted;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.extensions.mongo.DefaultMongoTemplate;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.MongoEventStorageEngine;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher against axon-mongo's store on an in-memory MongoDB-wire server and Kafka's own
 * MockProducer: the hand-off, order and keys, recovery by key from the marks, failed and fenced
 * transactions, and the lag gauge.
 */
class EventPublisherTest {
  private static final String TOPIC = "comments.events";
  private static final ThreadId T1 = new ThreadId("demo", "t1");
  private static final ThreadId T2 = new ThreadId("demo", "t2");
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final EventCodec codec = new EventCodec();
  private final List<MockProducer<String, byte[]>> producers = new CopyOnWriteArrayList<>();
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };
  private MongoServer server;
  private MongoClient client;
  private MongoEventStorageEngine.Builder engineBuilder;
  private MongoEventStorageEngine engine;
  private StreamMarks marks;
  private StoredEvents stored;
  private EventPublisher publisher;

  @BeforeEach
  void startStore() {
    server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", 0);
    client = MongoClients.create("mongodb://127.0.0.1:" + server.getLocalAddress().getPort());
    MongoDatabase database = client.getDatabase("events");
    Serializer serializer = EventSerialization.newSerializer();
    engineBuilder =
        MongoEventStorageEngine.builder()
            .mongoTemplate(DefaultMongoTemplate.builder().mongoDatabase(database).build())
            .eventSerializer(serializer)
            .snapshotSerializer(serializer)
            .upcasterChain(new ContractUpcaster());
    engine = engineBuilder.build();
    marks = new StreamMarks(database, p -> com.mongodb.ReadPreference.primary());
    stored =
        new StoredEvents(
            database,
            p -> com.mongodb.ReadPreference.primary(),
            serializer,
            new ContractUpcaster());
  }

  @AfterEach
  void tearDown() {
    if (publisher != null) {
      publisher.close();
    }
    client.close();
    server.shutdownNow();
  }

  /** Appends as the command side does: marked, then handed to the publisher if there is one. */
  private void append(ThreadId thread, long... seqs) {
    new MarkingStorageEngine(engine, marks, publisher == null ? List.of() : List.of(publisher))
        .appendEvents(events(thread, seqs));
  }

  /** Stores without mark nor hand-off, like an event whose hand-off was lost. */
  private void appendUnseen(ThreadId thread, long... seqs) {
    engine.appendEvents(events(thread, seqs));
  }

  private static List<DomainEventMessage<?>> events(ThreadId thread, long... seqs) {
    return java.util.Arrays.stream(seqs)
        .<DomainEventMessage<?>>mapToObj(
            seq ->
                new GenericDomainEventMessage<>(
                    "CommentThread",
                    thread.streamId(),
                    seq,
                    new CommentPosted(
                        thread.tenant(),
                        thread.thread(),
                        thread.thread() + "-c" + seq,
                        null,
                        Author.anonymous("s-1", "Ann"),
                        "text " + seq,
                        T0),
                    MetaData.emptyInstance(),
                    UUID.randomUUID().toString(),
                    Instant.now()))
        .toList();
  }

  private EventPublisher start(Supplier<Producer<String, byte[]>> producerFactory) {
    return start(producerFactory, 100);
  }

  private EventPublisher start(
      Supplier<Producer<String, byte[]>> producerFactory, int queueCapacity) {
    publisher =
        new EventPublisher(
            marks,
            stored,
            producerFactory,
            () -> {},
            new PublisherOptions(
                TOPIC,
                3,
                Duration.ofMillis(20),
                Duration.ofMinutes(10),
                Duration.ofMillis(200),
                queueCapacity,
                1000),
            meters,
            clock);
    publisher.start();
    // Appends from here on are handed off: the recovery at start has read what was stored before.
    await().atMost(Duration.ofSeconds(10)).until(publisher::recoveredAtStart);
    return publisher;
  }

  private Supplier<Producer<String, byte[]>> healthyProducers() {
    return () ->
        add(new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()));
  }

  private MockProducer<String, byte[]> add(MockProducer<String, byte[]> producer) {
    producers.add(producer);
    return producer;
  }

  private List<String> sent() {
    return producers.stream().flatMap(p -> p.history().stream()).map(this::position).toList();
  }

  private String position(ProducerRecord<String, byte[]> record) {
    EventEnvelope envelope = codec.decode(record.value());
    assertThat(record.key()).isEqualTo(envelope.stream().streamId());
    assertThat(record.topic()).isEqualTo(TOPIC);
    return envelope.stream() + "#" + envelope.seq();
  }

  private double count(String meter) {
    return meters.counter(meter).count();
  }

  private double lag() {
    return meters.get("comments.publisher.lag.seconds").gauge().value();
  }

  private StreamMarks.Marks marksOf(ThreadId thread) {
    return marks.find(thread.streamId(), ReadPreference.PRIMARY).orElseThrow();
  }

  @Test
  void publishes_each_appended_event_as_handed_off_in_order_keyed_by_its_thread() {
    start(healthyProducers());
    append(T1, 0);
    append(T2, 0);
    append(T1, 1, 2);
    append(T2, 1);

    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 5);
    assertThat(sent())
        .containsExactly("demo/t1#0", "demo/t2#0", "demo/t1#1", "demo/t1#2", "demo/t2#1");
    assertThat(count("comments.publisher.recovered")).isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(marksOf(T1)).isEqualTo(new StreamMarks.Marks("demo/t1", 2, 2)));
  }

  @Test
  void at_start_publishes_by_key_what_the_marks_say_is_not_on_kafka() {
    // Stored while no publisher ran (a crash between the append and its publication).
    append(T1, 0, 1);
    append(T2, 0);
    start(healthyProducers());

    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 3);
    assertThat(sent()).containsExactlyInAnyOrder("demo/t1#0", "demo/t1#1", "demo/t2#0");
    assertThat(sent()).containsSubsequence("demo/t1#0", "demo/t1#1");
    assertThat(count("comments.publisher.recovered")).isEqualTo(3.0);

    append(T1, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 4);
    assertThat(sent()).last().isEqualTo("demo/t1#2");
  }

  @Test
  void reads_a_seq_whose_hand_off_was_lost_by_key_before_the_event_after_it() {
    start(healthyProducers());
    append(T1, 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 1);
    appendUnseen(T1, 1);
    append(T1, 2);

    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 3);
    assertThat(sent()).containsExactly("demo/t1#0", "demo/t1#1", "demo/t1#2");
    assertThat(count("comments.publisher.recovered")).isEqualTo(1.0);
    assertThat(count("comments.publisher.missing")).isZero();
  }

  @Test
  void reads_back_the_events_of_a_stream_that_did_not_fit_in_the_queue() {
    CountDownLatch release = new CountDownLatch(1);
    start(
        () ->
            add(
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
                  @Override
                  public void beginTransaction() {
                    await().until(() -> release.getCount() == 0);
                    super.beginTransaction();
                  }
                }),
        2);
    // The loop holds t1#0 while its transaction waits; two fit in the queue, the rest does not.
    append(T1, 0);
    await().until(() -> meters.get("comments.publisher.waiting").gauge().value() == 0.0);
    append(T1, 1);
    append(T1, 2);
    append(T1, 3);
    append(T2, 0);
    assertThat(meters.get("comments.publisher.waiting").gauge().value()).isEqualTo(4.0);
    release.countDown();

    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") >= 5);
    assertThat(sent())
        .containsExactlyInAnyOrder("demo/t1#0", "demo/t1#1", "demo/t1#2", "demo/t1#3", "demo/t2#0");
    assertThat(sent()).containsSubsequence("demo/t1#0", "demo/t1#1", "demo/t1#2", "demo/t1#3");
  }

  @Test
  void after_a_failed_transaction_sends_it_again_with_a_new_producer_and_skips_nothing() {
    start(
        () -> {
          MockProducer<String, byte[]> producer =
              new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
          if (producers.isEmpty()) {
            producer.commitTransactionException = new KafkaException("broker gone");
          }
          return add(producer);
        });
    append(T1, 0, 1);
    append(T2, 0);

    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 3);
    assertThat(producers).hasSize(2);
    assertThat(producers.getFirst().closed()).isTrue();
    assertThat(producers.getFirst().history()).isEmpty();
    assertThat(sent()).containsSubsequence("demo/t1#0", "demo/t1#1").contains("demo/t2#0");
    assertThat(sent()).doesNotHaveDuplicates();
  }

  @Test
  void a_fenced_publisher_stops_and_leaves_what_it_holds_marked_in_the_store() {
    start(healthyProducers());
    append(T1, 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 1);

    producers.getFirst().fenceProducer();
    append(T1, 1);
    await().atMost(Duration.ofSeconds(10)).until(publisher::fenced);
    append(T1, 2);

    assertThat(producers).hasSize(1);
    assertThat(sent()).containsExactly("demo/t1#0");
    assertThat(meters.get("comments.publisher.fenced").gauge().value()).isEqualTo(1.0);
    assertThat(marksOf(T1)).isEqualTo(new StreamMarks.Marks("demo/t1", 2, 0));
  }

  @Test
  void a_mark_whose_append_failed_is_harmless_and_the_seq_is_published_once_stored() {
    start(healthyProducers());
    append(T1, 0);
    MongoEventStorageEngine failing =
        new MongoEventStorageEngine(engineBuilder) {
          @Override
          protected void appendEvents(List<? extends EventMessage<?>> events, Serializer s) {
            throw new IllegalStateException("the insert was lost");
          }
        };
    assertThatThrownBy(
            () ->
                new MarkingStorageEngine(failing, marks, List.of(publisher))
                    .appendEvents(events(T1, 1)))
        .hasMessage("the insert was lost");
    assertThat(marksOf(T1).appended()).isEqualTo(1);
    // The thread's next command takes the same seq.
    append(T1, 1);

    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 2);
    assertThat(sent()).containsExactly("demo/t1#0", "demo/t1#1");
    assertThat(count("comments.publisher.missing")).isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(marksOf(T1)).isEqualTo(new StreamMarks.Marks("demo/t1", 1, 1)));
  }

  @Test
  void lag_counts_the_events_waiting_between_two_batches_regression_lag_read_0_between_batches() {
    CountDownLatch secondMayBegin = new CountDownLatch(1);
    start(
        () ->
            add(
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
                  private int transactions;

                  @Override
                  public void beginTransaction() {
                    if (++transactions == 2) {
                      await().until(() -> secondMayBegin.getCount() == 0);
                    }
                    super.beginTransaction();
                  }
                }));
    append(T1, 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 1);
    assertThat(lag()).isZero();

    append(T1, 1);
    now.set(T0.plusSeconds(5));
    // The first batch was acknowledged; t1#1 waits for the second, which has not begun.
    assertThat(lag()).isEqualTo(5.0);
    secondMayBegin.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> count("comments.publisher.published") == 2);
    assertThat(lag()).isZero();
  }
}
