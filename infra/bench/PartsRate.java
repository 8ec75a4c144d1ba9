import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.comments.command.publish.KafkaSetup;
import dev.comments.infra.dev.EmbeddedMongo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;

/**
 * The bare rates of a node's two parts, to set the node's write rate beside them: the embedded
 * store's insert rate with the event store's commit policy (each insert journaled, concurrent
 * inserts sharing a commit), and a Kafka producer's rate with the publisher's settings (one
 * transactional producer, acks=all, a transaction per batch).
 *
 * <pre>
 *   java PartsRate.java store SECONDS WRITERS        (a fresh embedded store in a temporary dir)
 *   java PartsRate.java kafka BOOTSTRAP SECONDS BATCH
 * </pre>
 *
 * Prints "per_second p50_ms p99_ms" (latency of one insert, or of one batch's transaction).
 */
public final class PartsRate {
  /** About the size of a stored comment-posted event. */
  private static final String TOPIC = "bench.bare";

  private static final String PAYLOAD = "x".repeat(600);

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "store" -> store(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      case "kafka" -> kafka(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      default -> throw new IllegalArgumentException("store or kafka, not " + args[0]);
    }
  }

  private static void store(int seconds, int writers) throws Exception {
    Path dir = Files.createTempDirectory("parts-store");
    try (EmbeddedMongo mongo = EmbeddedMongo.start(dir);
        MongoClient client = MongoClients.create(mongo.connectionString());
        ExecutorService pool = Executors.newFixedThreadPool(writers)) {
      MongoCollection<Document> events =
          client
              .getDatabase("bare")
              .getCollection("events")
              .withWriteConcern(WriteConcern.MAJORITY);
      events.insertOne(new Document("_id", "warm-up"));
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      AtomicLong ids = new AtomicLong();
      List<Future<List<Long>>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        done.add(
            pool.submit(
                () -> {
                  List<Long> nanos = new ArrayList<>();
                  while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    events.insertOne(
                        new Document("_id", "e-" + ids.incrementAndGet())
                            .append("aggregateIdentifier", "demo/t-" + ids.get() % 100)
                            .append("sequenceNumber", ids.get())
                            .append("payload", PAYLOAD));
                    nanos.add(System.nanoTime() - start);
                  }
                  return nanos;
                }));
      }
      report(done, seconds);
    }
  }

  private static void kafka(String bootstrap, int seconds, int batch) throws Exception {
    // A topic of its own, as many partitions as the node's event topic, on the node's broker.
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      int partitions =
          admin
              .describeTopics(List.of("comments.events"))
              .allTopicNames()
              .get()
              .get("comments.events")
              .partitions()
              .size();
      if (!admin.listTopics().names().get().contains(TOPIC)) {
        admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get();
      }
    }
    try (Producer<String, byte[]> producer =
        KafkaSetup.newProducer(bootstrap, "bench-bare-producer")) {
      producer.initTransactions();
      byte[] value = PAYLOAD.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      List<Long> nanos = new ArrayList<>();
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      long sent = 0;
      while (System.nanoTime() < end) {
        long start = System.nanoTime();
        producer.beginTransaction();
        for (int i = 0; i < batch; i++) {
          producer.send(new ProducerRecord<>(TOPIC, "demo/t-" + (sent++ % 100), value));
        }
        producer.commitTransaction();
        nanos.add(System.nanoTime() - start);
      }
      print(sent / (double) seconds, nanos);
    }
  }

  private static void report(List<Future<List<Long>>> done, int seconds) throws Exception {
    List<Long> nanos = new ArrayList<>();
    for (Future<List<Long>> writer : done) {
      nanos.addAll(writer.get());
    }
    print(nanos.size() / (double) seconds, nanos);
  }

  private static void print(double perSecond, List<Long> nanos) {
    Collections.sort(nanos);
    System.out.printf(
        "%.0f %.2f %.2f%n",
        perSecond,
        nanos.get(nanos.size() / 2) / 1e6,
        nanos.get((int) Math.ceil(nanos.size() * 0.99) - 1) / 1e6);
  }
}
