import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.comments.events.Author;
import dev.comments.events.CommentPosted;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.ThreadFeeds;
import dev.comments.query.ThreadFeeds.Subscription;
import dev.comments.query.thread.LiveFeeds;
import dev.comments.query.thread.ReadModel;
import dev.comments.query.thread.ThreadProjection;
import dev.comments.query.thread.ThreadViewStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * A reconnect storm against the live feeds alone: a node's feeds follow FOLLOWED threads (READERS
 * of them with a reader, the rest idle within the idle bound), then READERS readers subscribe to
 * one thread and leave, ROUNDS times. Prints the median time of the subscribes and of the closes:
 * each holds the lock the projection's thread delivers every update under. The store is
 * mongo-java-server in memory, over the driver, as the projection writes it; only the subscribes
 * and the closes are timed.
 *
 * <p>java -cp LAUNCHER_CLASSPATH SubscribeStorm.java [FOLLOWED=14000] [READERS=10000] [ROUNDS=5]
 */
public class SubscribeStorm {
  public static void main(String[] args) throws Exception {
    int followed = args.length > 0 ? Integer.parseInt(args[0]) : 14_000;
    int readers = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    MongoServer server = new MongoServer(new MemoryBackend());
    InetSocketAddress address = server.bind();
    try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort())) {
      ThreadViewStore store = new ThreadViewStore(client.getDatabase("storm"));
      ReadModel readModel = new ReadModel(store, 256L << 20, new SimpleMeterRegistry());
      LiveFeeds feeds = new LiveFeeds(readModel);
      ThreadProjection projection = new ThreadProjection(store, readModel, feeds, null);
      Instant now = Instant.parse("2026-12-01T00:00:00Z");
      List<ThreadId> threads = new ArrayList<>();
      for (int i = 0; i < followed; i++) {
        ThreadId thread = new ThreadId("demo", "t" + i);
        projection.apply(
            new EventEnvelope(
                thread.streamId() + "#0",
                thread,
                0,
                now,
                new CommentPosted(
                    "demo",
                    thread.thread(),
                    "c" + i,
                    null,
                    new Author(Author.Kind.USER, "ann", "Ann"),
                    "hello",
                    now)));
        threads.add(thread);
      }
      int withReaders = Math.min(readers, followed);
      for (int i = 0; i < withReaders; i++) {
        feeds.subscribe(
            threads.get(i),
            OptionalLong.empty(),
            ReadPreference.PRIMARY,
            ThreadFeeds.DIRECT,
            u -> {});
      }
      double[] subscribes = new double[rounds];
      double[] closes = new double[rounds];
      for (int round = -1; round < rounds; round++) { // round -1 warms up
        List<Subscription> storm = new ArrayList<>(readers);
        long start = System.nanoTime();
        for (int i = 0; i < readers; i++) {
          storm.add(
              feeds.subscribe(
                  threads.get(0),
                  OptionalLong.empty(),
                  ReadPreference.PRIMARY,
                  ThreadFeeds.DIRECT,
                  u -> {}));
        }
        long subscribed = System.nanoTime();
        storm.forEach(Subscription::close);
        long closed = System.nanoTime();
        if (round >= 0) {
          subscribes[round] = (subscribed - start) / 1e6;
          closes[round] = (closed - subscribed) / 1e6;
        }
      }
      System.out.printf(
          "%d %d %d %.1f %.1f%n", followed, readers, rounds, median(subscribes), median(closes));
    } finally {
      server.shutdownNow();
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
