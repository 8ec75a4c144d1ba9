package dev.comments.query.thread;

import static dev.comments.events.ReadPreference.NEAREST;
import static dev.comments.events.ReadPreference.PRIMARY;
import static dev.comments.events.VoteDirection.NONE;
import static dev.comments.events.VoteDirection.UP;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import dev.comments.events.query.FindReplies;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.TestMongo;
import dev.comments.query.ThreadLog;
import dev.comments.query.projection.AppliedEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Counts what the thread view sends to the store, over a real socket, with the driver's own command
 * listener: a hot thread's page sends nothing, and whatever is sent names documents by {@code _id}
 * alone, the only filter that uses an index on the embedded store and on MongoDB.
 */
class ReadModelRoundTripsTest {
  private static final Set<String> DATA_COMMANDS =
      Set.of("find", "update", "insert", "delete", "aggregate", "count", "findAndModify");

  private final List<BsonDocument> commands = new CopyOnWriteArrayList<>();
  private TestMongo mongo;
  private MongoClient client;
  private MongoDatabase database;

  @BeforeEach
  void listen() {
    mongo = new TestMongo();
    CommandListener listener =
        new CommandListener() {
          @Override
          public void commandStarted(CommandStartedEvent event) {
            if (DATA_COMMANDS.contains(event.getCommandName())) {
              commands.add(event.getCommand().clone());
            }
          }
        };
    client = mongo.clientWith(listener);
    database = client.getDatabase("roundtrips");
  }

  @AfterEach
  void close() {
    client.close();
    mongo.close();
  }

  private record Node(
      ReadModel readModel, ThreadProjection projection, MongoThreadQueries queries) {}

  private Node node() {
    ThreadViewStore store = new ThreadViewStore(database);
    ReadModel readModel = new ReadModel(store, 1 << 22, new SimpleMeterRegistry());
    return new Node(
        readModel,
        new ThreadProjection(store, readModel),
        new MongoThreadQueries(readModel, new AppliedEvents()));
  }

  private static ThreadLog busyThread() {
    ThreadLog log = ThreadLog.of("demo", "hot");
    for (int i = 0; i < 150; i++) {
      log.post("c" + i, i % 3 == 0 || i < 3 ? null : "c" + (i - i % 3), "alice");
    }
    log.vote("c0", "viewer", UP, NONE);
    log.edit("c1", "alice", "edited");
    log.delete("c2", "alice");
    log.flag("c4", "bob", "spam");
    log.lock("mod");
    log.vote("c120", "viewer", UP, NONE);
    return log;
  }

  @Test
  void a_page_of_a_hot_thread_sends_no_command_to_the_store() {
    ThreadLog log = busyThread();
    Node node = node();
    log.events().forEach(node.projection()::apply);
    ThreadPage first =
        node.queries()
            .findComments(
                new FindThreadComments(log.thread(), SortOrder.TOP, 20, null, 5, "viewer"), NEAREST)
            .orElseThrow();
    commands.clear();

    for (SortOrder sort : SortOrder.values()) {
      node.queries()
          .findComments(new FindThreadComments(log.thread(), sort, 20, null, 5, "viewer"), PRIMARY);
      node.queries()
          .findComments(new FindThreadComments(log.thread(), sort, 20, null, 5, null), NEAREST);
    }
    node.queries()
        .findComments(
            new FindThreadComments(
                log.thread(), SortOrder.TOP, 20, first.nextCursor(), 5, "viewer"),
            PRIMARY);
    node.queries()
        .findReplies(
            new FindReplies(
                log.thread(),
                first.comments().getFirst().id(),
                10,
                first.comments().getFirst().repliesNextCursor(),
                "viewer"),
            PRIMARY);
    assertThat(node.queries().awaitSeq(log.thread(), log.last().seq(), Duration.ZERO, PRIMARY))
        .isTrue();

    assertThat(commands).isEmpty();
    reportCost(node.queries(), log);
  }

  /** Not asserted (speed targets never are): what one page of a hot thread costs here. */
  private static void reportCost(MongoThreadQueries queries, ThreadLog log) {
    FindThreadComments query =
        new FindThreadComments(log.thread(), SortOrder.TOP, 20, null, 5, "viewer");
    long size = 0;
    for (int i = 0; i < 20_000; i++) {
      size += queries.findComments(query, PRIMARY).orElseThrow().comments().size();
    }
    long start = System.nanoTime();
    int rounds = 50_000;
    for (int i = 0; i < rounds; i++) {
      size += queries.findComments(query, PRIMARY).orElseThrow().comments().size();
    }
    LoggerFactory.getLogger(ReadModelRoundTripsTest.class)
        .info(
            "a page of a hot thread from memory: {} µs ({} comments read)",
            (System.nanoTime() - start) / rounds / 1000.0,
            size);
  }

  @Test
  void the_projection_and_a_cold_read_name_every_document_by_id() {
    ThreadLog log = busyThread();
    Node writer = node();
    log.events().forEach(writer.projection()::apply);
    Node cold = node();
    int before = commands.size();
    assertThat(
            cold.queries()
                .findComments(
                    new FindThreadComments(log.thread(), SortOrder.NEWEST, 20, null, 5, "viewer"),
                    PRIMARY))
        .isPresent();
    // A restarted node re-applies the last event: it loads the thread, then skips it.
    cold.projection().apply(log.last());

    assertThat(commands).isNotEmpty();
    for (BsonDocument command : commands) {
      for (BsonDocument filter : filters(command)) {
        assertThat(filter.keySet()).as("filter of %s", command.toJson()).containsExactly("_id");
        BsonValue id = filter.get("_id");
        if (id.isDocument() && id.asDocument().getFirstKey().startsWith("$")) {
          assertThat(id.asDocument().keySet()).as("%s", command.toJson()).containsExactly("$in");
        }
      }
    }
    assertThat(
            commands.subList(before, commands.size()).stream()
                .filter(c -> c.containsKey("find"))
                .count())
        .as("finds of the cold read: the thread, its buckets, the viewer's votes; then nothing")
        .isEqualTo(3);
  }

  private static List<BsonDocument> filters(BsonDocument command) {
    if (command.containsKey("find")) {
      return List.of(command.getDocument("filter", new BsonDocument()));
    }
    if (command.containsKey("update")) {
      return command.getArray("updates").stream()
          .map(u -> u.asDocument().getDocument("q"))
          .toList();
    }
    if (command.containsKey("delete")) {
      return command.getArray("deletes").stream()
          .map(d -> d.asDocument().getDocument("q"))
          .toList();
    }
    if (command.containsKey("insert")) {
      return List.of();
    }
    throw new AssertionError("the thread view sent " + command.toJson());
  }
}
