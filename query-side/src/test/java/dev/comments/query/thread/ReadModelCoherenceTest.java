package dev.comments.query.thread;

import static dev.comments.events.ReadPreference.PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.FindReplies;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.TestMongo;
import dev.comments.query.projection.AppliedEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cache coherence as a property: random histories ({@link ThreadHistory}: every event type,
 * moderation included), duplicates, restarts and crashes between an event's writes; after each
 * step, every page the node serves from memory equals the page a node with nothing in memory
 * rebuilds from the store. Seeded, so a failure names the seed that reproduces it.
 */
class ReadModelCoherenceTest {
  @RegisterExtension static final TestMongo mongo = new TestMongo();

  private record Node(ThreadProjection projection, MongoThreadQueries queries) {
    static Node on(MongoDatabase database) {
      ThreadViewStore store = new ThreadViewStore(database);
      ReadModel readModel = new ReadModel(store, 1 << 22, new SimpleMeterRegistry());
      return new Node(
          new ThreadProjection(store, readModel),
          new MongoThreadQueries(readModel, new AppliedEvents()));
    }
  }

  @Test
  void pages_served_from_memory_equal_pages_rebuilt_from_the_store() {
    for (long seed = 1; seed <= 4; seed++) {
      run(seed, 150);
    }
  }

  private void run(long seed, int steps) {
    Random random = new Random(seed);
    MongoDatabase database = mongo.freshDatabase();
    Node node = Node.on(database);
    List<ThreadHistory> threads =
        List.of(
            new ThreadHistory(new ThreadId("demo", "s" + seed)),
            new ThreadHistory(new ThreadId("x", "t")));
    // Enough comments that the first thread soon needs a second bucket.
    for (int i = 0; i < ThreadState.BUCKET_SIZE - 5; i++) {
      node.projection().apply(threads.getFirst().post("a0"));
    }
    for (int step = 0; step < steps; step++) {
      ThreadHistory history = threads.get(random.nextInt(10) < 8 ? 0 : 1);
      EventEnvelope event = history.next(random);
      int what = random.nextInt(20);
      if (what == 0) {
        node = Node.on(database); // a restart: nothing in memory
      } else if (what == 1) {
        // A crash between the writes of this event, then a restart that receives it again.
        ThreadState before = node.projection().readModel().exactThread(event.thread());
        List<Runnable> writes = node.projection().plan(before, event).writes();
        writes.subList(0, random.nextInt(writes.size())).forEach(Runnable::run);
        node = Node.on(database);
      } else if (what == 2 && event.seq() > 0) {
        // A duplicate from the log.
        node.projection().apply(history.log.events().get(random.nextInt((int) event.seq())));
      }
      node.projection().apply(event);
      String context = "seed " + seed + " step " + step + " after " + event.event();
      assertCoherent(node, Node.on(database), history.log.thread(), random, context);
    }
  }

  private static void assertCoherent(
      Node node, Node fromStore, ThreadId thread, Random random, String context) {
    SortOrder sort = SortOrder.values()[random.nextInt(3)];
    int limit = 1 + random.nextInt(40);
    int replyLimit = random.nextInt(4);
    String viewer =
        random.nextInt(4) == 0
            ? null
            : ThreadHistory.VIEWERS.get(random.nextInt(ThreadHistory.VIEWERS.size()));
    String cursor = null;
    do {
      FindThreadComments query =
          new FindThreadComments(thread, sort, limit, cursor, replyLimit, viewer);
      Optional<ThreadPage> served = node.queries().findComments(query, PRIMARY);
      assertThat(served).as(context).isEqualTo(fromStore.queries().findComments(query, PRIMARY));
      cursor = served.map(ThreadPage::nextCursor).orElse(null);
      for (CommentView root : served.map(ThreadPage::comments).orElse(List.of())) {
        if (root.repliesNextCursor() != null) {
          FindReplies replies =
              new FindReplies(
                  thread, root.id(), 1 + random.nextInt(5), root.repliesNextCursor(), viewer);
          assertThat(node.queries().findReplies(replies, PRIMARY))
              .as(context)
              .isEqualTo(fromStore.queries().findReplies(replies, PRIMARY));
        }
      }
    } while (cursor != null);
  }
}
