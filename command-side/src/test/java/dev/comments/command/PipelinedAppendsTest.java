package dev.comments.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import dev.comments.command.store.JournalBarrier;
import dev.comments.events.Author;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pipelined appends through the whole command side: Axon, its MongoDB event store over the real
 * driver to a MongoDB-wire server whose barrier writes can be made to fail, many writers on one
 * thread at once.
 */
class PipelinedAppendsTest {
  private static final ThreadId HOT = new ThreadId("demo", "hot");
  private static final int WRITERS = 16;
  private static final int POSTS_EACH = 20;

  /** Fewer in the failure case: each failed barrier costs a reload of the thread from the store. */
  private static final int FAILING_WRITERS = 8;

  private static final int FAILING_POSTS_EACH = 5;

  private final AtomicBoolean failBarriers = new AtomicBoolean();
  private final AtomicInteger barriersSent = new AtomicInteger();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private ListenedCommandSide store;
  private CommandSide side;
  private ExecutorService writers;

  @BeforeEach
  void start() {
    CommandListener listener =
        new CommandListener() {
          @Override
          public void commandStarted(CommandStartedEvent event) {
            if (event.getCommandName().equals("update")
                && JournalBarrier.COLLECTION.equals(
                    event.getCommand().getString("update").getValue())) {
              barriersSent.incrementAndGet();
            }
          }
        };
    store =
        ListenedCommandSide.start(
            new MemoryBackend() {
              @Override
              public Document handleCommand(
                  Channel channel, String database, String command, Document query) {
                if (failBarriers.get()
                    && "update".equals(command)
                    && JournalBarrier.COLLECTION.equals(query.get("update"))) {
                  throw new MongoServerError(8, "injected: the store could not commit");
                }
                return super.handleCommand(channel, database, command, query);
              }
            },
            listener,
            meters);
    side = store.side;
    writers = Executors.newFixedThreadPool(WRITERS);
  }

  @AfterEach
  void stop() {
    writers.shutdownNow();
    store.close();
  }

  @Test
  void many_writers_on_one_thread_share_barriers_and_each_post_gets_its_own_seq() throws Exception {
    List<Callable<List<Long>>> tasks = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      Author author = Author.anonymous("s-" + w, "Writer " + w);
      tasks.add(
          () -> {
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < POSTS_EACH; i++) {
              seqs.add(side.commands().post(HOT, null, author, "post " + i).seq());
            }
            return seqs;
          });
    }
    Set<Long> seqs = new HashSet<>();
    for (Future<List<Long>> done : writers.invokeAll(tasks)) {
      seqs.addAll(done.get());
    }

    int posts = WRITERS * POSTS_EACH;
    assertThat(seqs).hasSize(posts);
    assertThat(side.positions().lastSeq(HOT, ReadPreference.PRIMARY)).hasValue(posts - 1);
    // Writers waited for one another: some appends were pipelined, and they shared barriers.
    assertThat(barriersSent.get()).isPositive().isLessThan(posts);
  }

  @Test
  void
      a_failed_barrier_fails_the_posts_it_covered_evicts_the_thread_and_a_keyed_retry_applies_once()
          throws Exception {
    side.commands().post(HOT, null, Author.anonymous("s-first", "First"), "first");
    double missesBefore = misses();
    failBarriers.set(true);
    Map<String, String> failedKeys = new ConcurrentHashMap<>();
    Map<String, String> answered = new ConcurrentHashMap<>();
    List<Callable<Void>> tasks = new ArrayList<>();
    for (int w = 0; w < FAILING_WRITERS; w++) {
      Author author = Author.anonymous("s-" + w, "Writer " + w);
      int writer = w;
      tasks.add(
          () -> {
            for (int i = 0; i < FAILING_POSTS_EACH; i++) {
              String key = "k-" + writer + "-" + i;
              try {
                Accepted accepted =
                    side.commands()
                        .keyed(new IdempotencyKeys.Key("demo", author.id(), key), "h")
                        .post(HOT, null, author, key);
                answered.put(key, accepted.commentId());
              } catch (CommandRejectedException rejected) {
                throw rejected;
              } catch (RuntimeException notDurable) {
                failedKeys.put(key, author.id());
              }
            }
            return null;
          });
    }
    for (Future<Void> done : writers.invokeAll(tasks)) {
      done.get();
    }
    assertThat(failedKeys).as("posts whose barrier failed").isNotEmpty();
    // Nothing else leaves the cache: a thread whose barrier failed was evicted, then loaded again.
    assertThat(misses())
        .as("loads of the thread after a failed barrier")
        .isGreaterThan(missesBefore);
    failBarriers.set(false);
    // The failed posts are in doubt (this store kept them): each retry under its key is settled
    // by the thread, reloaded from the store since it left the cache, and applies nothing more.
    for (var failed : failedKeys.entrySet()) {
      Author author = Author.anonymous(failed.getValue(), "again");
      Accepted retried =
          side.commands()
              .keyed(new IdempotencyKeys.Key("demo", author.id(), failed.getKey()), "h")
              .post(HOT, null, author, failed.getKey());
      answered.put(failed.getKey(), retried.commentId());
    }

    int posts = FAILING_WRITERS * FAILING_POSTS_EACH;
    assertThat(answered).hasSize(posts);
    assertThat(Set.copyOf(answered.values())).hasSize(posts);
    // The first post, then each keyed one exactly once.
    assertThat(side.positions().lastSeq(HOT, ReadPreference.PRIMARY)).hasValue(posts);
  }

  private double misses() {
    return meters.get("comments.aggregates.cache.misses").functionCounter().count();
  }
}
