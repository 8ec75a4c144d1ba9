package dev.comments.query;

import static dev.comments.events.ReadPreference.NEAREST;
import static dev.comments.events.ReadPreference.PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import dev.comments.infra.kafka.KafkaBroker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The staleness bound against a real Kafka broker of its own, which the test holds back and then
 * stops: the bound must not read small while events wait in the log, nor while the log is gone.
 */
class ProjectionStalenessIT {
  private static final String NODE = "staleness-it";
  private static final String TOPIC = "comments.events";
  private static final int EVENTS = 20;
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  /** What an idle node in reach of its broker reports; an order above a probe's round trip. */
  private static final Duration SMALL = Duration.ofSeconds(2);

  @TempDir Path brokerDir;
  private KafkaBroker broker;
  private TestMongo mongo;
  private QuerySide querySide;
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stopEverything() {
    release.countDown();
    if (querySide != null) {
      querySide.close();
    }
    if (mongo != null) {
      mongo.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void
      lag_stays_up_until_produced_events_are_applied_and_reads_go_on_flagged_stale_without_the_log()
          throws Exception {
    broker = KafkaBroker.start(brokerDir);
    mongo = new TestMongo();
    createTopic();
    MeterRegistry meters = new SimpleMeterRegistry();
    querySide =
        QuerySide.start(
            new QuerySideSettings(
                mongo.freshDatabase().getName(), broker.bootstrapServers(), TOPIC, NODE),
            mongo.client(),
            meters,
            Clock.systemUTC());
    ProjectionStatus status = querySide.status();
    await()
        .atMost(PATIENCE)
        .until(() -> status.caughtUp() && !status.stale() && status.lag().compareTo(SMALL) < 0);
    assertThat(probeThreads()).hasSize(1);

    // Hold the consumer inside the first event it applies: the events are in the log, not applied.
    AtomicBoolean first = new AtomicBoolean(true);
    querySide.subscribe(
        event -> {
          if (first.getAndSet(false)) {
            awaitRelease();
          }
        });
    ThreadLog thread = ThreadLog.of("demo", "staleness");
    thread.post("c0", null, "alice");
    for (int i = 1; i < EVENTS; i++) {
      thread.post("c" + i, "c0", "bob");
    }
    produce(thread.events());

    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(status.lagEvents()).isEqualTo(EVENTS);
              assertThat(status.lag()).isGreaterThan(SMALL.multipliedBy(2));
            });
    assertThat(querySide.queries().awaitSeq(thread.thread(), EVENTS - 1, SMALL, PRIMARY))
        .as("still held")
        .isFalse();

    release.countDown();
    assertThat(querySide.queries().awaitSeq(thread.thread(), EVENTS - 1, PATIENCE, PRIMARY))
        .isTrue();
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(status.lagEvents()).isZero();
              assertThat(status.lag()).isLessThan(SMALL);
              assertThat(status.stale()).isFalse();
            });
    assertThat(meters.get("comments.projection.stale").gauge().value()).isZero();

    // The log goes away: reads go on from the projection, flagged, with a growing bound.
    broker.close();
    broker = null;
    await().atMost(ProjectionStatus.LOG_UNREACHED.plusSeconds(20)).until(status::stale);
    assertThat(meters.get("comments.projection.stale").gauge().value()).isEqualTo(1);
    await().atMost(PATIENCE).until(() -> status.lag().compareTo(ProjectionStatus.STALE_LAG) > 0);
    assertThat(status.stale()).isTrue();
    assertThat(meters.get("comments.projection.lag.seconds").gauge().value())
        .isGreaterThan((double) ProjectionStatus.STALE_LAG.toSeconds());
    assertThat(
            querySide
                .queries()
                .findComments(
                    new FindThreadComments(thread.thread(), SortOrder.OLDEST, 5, null, null),
                    NEAREST)
                .orElseThrow()
                .comments())
        .extracting(CommentView::id)
        .containsExactly("c0");

    querySide.close();
    assertThat(probeThreads()).as("the probe stops with the query side").isEmpty();
  }

  private void awaitRelease() {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void createTopic() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private void produce(List<EventEnvelope> envelopes) throws Exception {
    EventCodec codec = new EventCodec();
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
      for (EventEnvelope envelope : envelopes) {
        producer
            .send(new ProducerRecord<>(TOPIC, envelope.stream().streamId(), codec.encode(envelope)))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  static List<Thread> probeThreads(String node) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().equals("comments-projection-" + node + "-probe"))
        .toList();
  }

  private static List<Thread> probeThreads() {
    return probeThreads(NODE);
  }
}
