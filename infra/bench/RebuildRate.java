import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import dev.comments.events.Author;
import dev.comments.events.CommentPosted;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.infra.dev.EmbeddedMongo;
import dev.comments.infra.kafka.KafkaBroker;
import dev.comments.query.ProjectionAdmin;
import dev.comments.query.QuerySide;
import dev.comments.query.QuerySideSettings;
import dev.comments.query.AuditQuery;
import dev.comments.query.thread.SeededThreadView;
import dev.comments.query.thread.ThreadViewStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;

/**
 * The rebuild rate of the projections against the raw rate of the same work, on the embedded
 * default (a real Kafka broker, the MongoDB-wire server on an H2 file): N comment posts (100 a
 * thread, every fifth a reply) go onto a fresh 12-partition topic; then (a) every record is read
 * from Kafka and decoded, (b) the thread view's documents of those events (the projection's own
 * plan and documents, {@link SeededThreadView}) are bulk-written into a fresh database, and (c) a
 * query side replays the log and rebuilds {@code threads} and {@code audit} beside the live copies.
 * Then the audit log of the whole range is streamed. SeedStore.java fills the event store, not the
 * log, so it cannot feed a rebuild: this tool writes the log itself.
 *
 * <pre>
 * java -cp LAUNCHER_JAR:$(cat infra/launcher/target/node.classpath) infra/bench/RebuildRate.java \
 *     WORK_DIR EVENTS
 * </pre>
 *
 * Prints one line per figure, {@code name value}, for rebuild.sh to tabulate.
 */
public final class RebuildRate {
  static final int PER_THREAD = 100;
  static final String TOPIC = "comments.events";
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]).toAbsolutePath();
    long events = Long.parseLong(args[1]);
    try (KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"));
        EmbeddedMongo mongo = EmbeddedMongo.start(work.resolve("mongo"));
        MongoClient client = MongoClients.create(mongo.connectionString())) {
      String servers = broker.bootstrapServers();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(TOPIC, 12, (short) 1)
                        .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1"))))
            .all()
            .get(60, TimeUnit.SECONDS);
      }
      long started = System.nanoTime();
      produce(servers, events);
      report("produce_s", seconds(started));

      started = System.nanoTime();
      long read = readAll(servers);
      double readSeconds = seconds(started);
      report("raw_read_events", read);
      report("raw_read_eps", read / readSeconds);

      double writeSeconds = bulkWrite(client.getDatabase("bench_bulk"), events);
      report("raw_write_eps", events / writeSeconds);
      report("raw_eps", events / (readSeconds + writeSeconds));

      QuerySide side =
          QuerySide.start(
              new QuerySideSettings("comments_query_bench", servers, TOPIC, "bench"),
              client,
              new SimpleMeterRegistry(),
              Clock.systemUTC());
      try {
        started = System.nanoTime();
        while (!side.status().caughtUp()) {
          Thread.sleep(50);
        }
        report("first_replay_eps", events / seconds(started));
        for (String name : List.of(QuerySide.THREADS, QuerySide.AUDIT)) {
          side.rebuild(name);
          ProjectionAdmin.Info info;
          do {
            Thread.sleep(100);
            info = side.info(name);
          } while (info.rebuilding());
          ProjectionAdmin.Progress last = info.lastRebuild();
          double took = Duration.between(last.startedAt(), last.finishedAt()).toMillis() / 1000.0;
          report("rebuild_" + name + "_eps", events / took);
          report("rebuild_" + name + "_state_" + last.state(), 1);
        }
        AtomicLong streamed = new AtomicLong();
        started = System.nanoTime();
        side.audit()
            .stream(
                new AuditQuery(
                    "bench", null, null, false, START, START.plus(Duration.ofDays(30))),
                ReadPreference.NEAREST,
                entry -> streamed.incrementAndGet());
        double streamSeconds = seconds(started);
        report("audit_streamed", streamed.get());
        report("audit_stream_eps", streamed.get() / streamSeconds);
      } finally {
        side.close();
      }
    }
  }

  static void report(String name, double value) {
    System.out.printf(Locale.ROOT, "%s %.1f%n", name, value);
  }

  static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /** The events of thread {@code t}: comment posts, every fifth a reply, one millisecond apart. */
  static List<EventEnvelope> thread(long t, long events) {
    ThreadId thread = new ThreadId("bench", String.format("rb-%07d", t));
    List<EventEnvelope> list = new ArrayList<>();
    long first = t * PER_THREAD;
    for (int seq = 0; seq < PER_THREAD && first + seq < events; seq++) {
      String id = "c" + t + "-" + seq;
      String parent = seq % 5 == 4 ? "c" + t + "-" + (seq - 1) : null;
      Instant at = START.plusMillis(first + seq);
      list.add(
          new EventEnvelope(
              thread.streamId() + "#" + seq,
              thread,
              seq,
              at,
              new CommentPosted(
                  thread.tenant(),
                  thread.thread(),
                  id,
                  parent,
                  new Author(Author.Kind.USER, "user-" + (seq % 17), "User " + (seq % 17)),
                  "a comment of about a hundred characters, for the rebuild benchmark, number " + seq,
                  at)));
    }
    return list;
  }

  static void produce(String servers, long events) throws Exception {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    EventCodec codec = new EventCodec();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      for (long t = 0; t * PER_THREAD < events; t++) {
        for (EventEnvelope envelope : thread(t, events)) {
          producer.send(
              new ProducerRecord<>(TOPIC, envelope.stream().streamId(), codec.encode(envelope)));
        }
      }
      producer.flush();
    }
  }

  static long readAll(String servers) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    EventCodec codec = new EventCodec();
    long read = 0;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(TOPIC).forEach(p -> partitions.add(new TopicPartition(TOPIC, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (true) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          codec.decode(record.value());
          read++;
        }
        boolean done = true;
        for (TopicPartition partition : partitions) {
          done &= consumer.position(partition) >= end.get(partition);
        }
        if (done) {
          return read;
        }
      }
    }
  }

  /** Bulk-writes the thread view's documents of every thread; returns the seconds spent writing. */
  static double bulkWrite(MongoDatabase database, long events) {
    MongoCollection<Document> threads = database.getCollection(ThreadViewStore.THREADS);
    MongoCollection<Document> buckets = database.getCollection(ThreadViewStore.BUCKETS);
    long writing = 0;
    List<Document> threadDocs = new ArrayList<>();
    List<Document> bucketDocs = new ArrayList<>();
    for (long t = 0; t * PER_THREAD < events; t++) {
      SeededThreadView.Documents docs = SeededThreadView.of(thread(t, events));
      threadDocs.add(docs.thread());
      bucketDocs.addAll(docs.buckets());
      if (threadDocs.size() == 200 || (t + 1) * PER_THREAD >= events) {
        long started = System.nanoTime();
        buckets.insertMany(bucketDocs);
        threads.insertMany(threadDocs);
        writing += System.nanoTime() - started;
        threadDocs.clear();
        bucketDocs.clear();
      }
    }
    return writing / 1e9;
  }
}
