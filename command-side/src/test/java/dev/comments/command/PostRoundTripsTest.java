package dev.comments.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.comments.command.IdempotencyKeys.Answer;
import dev.comments.command.IdempotencyKeys.Claim;
import dev.comments.command.IdempotencyKeys.Key;
import dev.comments.events.Author;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Counts what a write sends to the store, over a real socket, with the driver's own command
 * listener: a post to a thread in memory costs its append mark, its locator entry and its event, a
 * bounded few more with an idempotency key or on a new thread, and every command that names
 * documents names them by {@code _id} or by exactly the fields of a unique index of its collection
 * (as the server lists them), the only filters that use an index on the embedded store
 * (mongo-java-server) as on MongoDB; the one exception, the completion of an idempotency key, is
 * named below by its exact shape.
 *
 * <p>Counted: the commands sent on the caller's thread, from the command's call to its answer (and,
 * with a key, the edge's claim before and its completion after). Not counted, because no request
 * waits for them: the publisher's writes (one keyed update of the {@code published} marks per Kafka
 * transaction, on its own thread; the publisher is off here, so this needs no broker) and the
 * snapshot of a thread every 100 events (on its own thread, after the answer).
 */
class PostRoundTripsTest {
  private static final Author ANN = Author.anonymous("s-ann", "Ann");
  private static final ThreadId HOT = new ThreadId("demo", "hot");

  // Bounds on the commands of one write, as measured; docs/architecture.md lists them.
  private static final int HOT_POST = 3;
  private static final int KEYED_POST = 5;
  private static final int NEW_THREAD_POST = 5;
  private static final int VOTE = 3;

  /**
   * A filter that pins {@code _id} by equality beside other conditions, at the top level or as a
   * term of a top-level {@code $and}: MongoDB finds the document by its {@code _id} index and
   * checks the rest on it, and so does the embedded store. The completion of an idempotency key is
   * one: {@code {$and: [{_id: k}, {requestHash: h}, {status: {$exists: false}}]}}.
   */
  private static boolean pinsId(BsonDocument filter) {
    if (isPlainId(filter.get("_id"))) {
      return true;
    }
    return filter.keySet().equals(Set.of("$and"))
        && filter.getArray("$and").stream()
            .anyMatch(
                t ->
                    t.isDocument()
                        && t.asDocument().size() == 1
                        && isPlainId(t.asDocument().get("_id")));
  }

  private static boolean isPlainId(BsonValue id) {
    return id != null
        && !(id.isDocument() && id.asDocument().keySet().stream().anyMatch(k -> k.startsWith("$")));
  }

  /** A command the driver sent, with the thread that sent it. */
  private record Sent(String thread, BsonDocument command) {
    String name() {
      return command.getFirstKey();
    }

    String collection() {
      BsonValue target = command.get(name());
      return target.isString() ? target.asString().getValue() : "";
    }

    @Override
    public String toString() {
      return name() + " " + collection();
    }
  }

  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private ListenedCommandSide store;
  private CommandSide side;
  private String firstComment;

  @BeforeEach
  void start() {
    CommandListener listener =
        new CommandListener() {
          @Override
          public void commandStarted(CommandStartedEvent event) {
            // The sync driver tells the listener on the thread that sends the command.
            sent.add(new Sent(Thread.currentThread().getName(), event.getCommand().clone()));
          }
        };
    // Pipelined as on the embedded store: a command alone on its thread appends journaled and
    // writes no barrier, so it costs what it costs without pipelining.
    store = ListenedCommandSide.start(new MemoryBackend(), listener, new SimpleMeterRegistry());
    side = store.side;
    // A hot thread: posted to, replied to and voted on, so that its aggregate is in the cache and
    // every connection the driver needs is open.
    firstComment = side.commands().post(HOT, null, ANN, "first").commentId();
    for (int i = 0; i < 10; i++) {
      side.commands().post(HOT, firstComment, ANN, "reply " + i);
    }
    side.commands().vote("demo", firstComment, "u-ben", VoteDirection.UP);
  }

  @AfterEach
  void stop() {
    store.close();
  }

  @Test
  void a_post_to_a_hot_thread_marks_the_stream_registers_the_comment_and_appends_the_event() {
    List<Sent> post = during(() -> side.commands().post(HOT, firstComment, ANN, "hot reply"));

    // Today: insert comment_locator, findAndModify streams (the append mark), insert domainevents.
    assertThat(post).as("sent: %s", post).hasSizeLessThanOrEqualTo(HOT_POST);
    assertKeyed(post);
  }

  @Test
  void a_post_with_an_idempotency_key_adds_the_keys_claim_and_its_completion() {
    IdempotencyKeys keys = side.idempotencyKeys();
    Key key = new Key("demo", ANN.id(), "retry-1");
    List<Sent> post =
        during(
            () -> {
              assertThat(keys.claim(key, "h1", ReadPreference.PRIMARY))
                  .isEqualTo(new Claim.Claimed());
              Accepted accepted =
                  side.commands().keyed(key, "h1").post(HOT, firstComment, ANN, "keyed reply");
              keys.complete(
                  key,
                  "h1",
                  new Answer(201, "{\"commentId\":\"" + accepted.commentId() + "\"}", null));
            });

    // Today: the post's three, between insert idempotency_keys (the claim) and update
    // idempotency_keys (the answer remembered).
    assertThat(post).as("sent: %s", post).hasSizeLessThanOrEqualTo(KEYED_POST);
    assertKeyed(post);
  }

  @Test
  void a_post_to_a_new_thread_first_looks_for_its_snapshot_and_first_event() {
    List<Sent> post =
        during(() -> side.commands().post(new ThreadId("demo", "new"), null, ANN, "hello"));

    // Today: the post's three, with find snapshotevents {aggregateIdentifier} and find domainevents
    // {aggregateIdentifier, sequenceNumber: 0} (the thread's load) before the mark.
    assertThat(post).as("sent: %s", post).hasSizeLessThanOrEqualTo(NEW_THREAD_POST);
    assertKeyed(post);
  }

  @Test
  void a_vote_finds_the_comments_thread_by_id_then_marks_and_appends() {
    List<Sent> vote =
        during(() -> side.commands().vote("demo", firstComment, "u-carl", VoteDirection.DOWN));

    // Today: find comment_locator {_id}, findAndModify streams, insert domainevents.
    assertThat(vote).as("sent: %s", vote).hasSizeLessThanOrEqualTo(VOTE);
    assertKeyed(vote);
  }

  /**
   * The commands the caller's thread sent while running {@code action}; no other thread may send
   * any meanwhile (the publisher is off and no snapshot is due).
   */
  private List<Sent> during(Runnable action) {
    sent.clear();
    action.run();
    List<Sent> all = List.copyOf(sent);
    String caller = Thread.currentThread().getName();
    LoggerFactory.getLogger(PostRoundTripsTest.class).info("sent: {}", all);
    assertThat(all).as("sent by other threads").allMatch(s -> s.thread().equals(caller));
    return all;
  }

  /**
   * Every filter is {@code _id} equality (or {@code $in}), an equality on exactly the fields of a
   * unique index of its collection, as the server lists them, or pins {@code _id} beside other
   * conditions.
   */
  private void assertKeyed(List<Sent> commands) {
    MongoDatabase database = store.client.getDatabase("comments");
    for (Sent command : commands) {
      for (BsonDocument filter : filters(command)) {
        Set<Set<String>> keys = uniqueKeys(database, command.collection());
        if (!keys.contains(filter.keySet())) {
          assertThat(pinsId(filter)).as("filter of %s", command.command().toJson()).isTrue();
          continue;
        }
        for (String field : filter.keySet()) {
          BsonValue value = filter.get(field);
          if (value.isDocument() && value.asDocument().getFirstKey().startsWith("$")) {
            assertThat(value.asDocument().keySet())
                .as("%s", command.command().toJson())
                .containsExactly("$in");
            assertThat(filter.keySet()).as("%s", command.command().toJson()).hasSize(1);
          }
        }
      }
    }
  }

  private static Set<Set<String>> uniqueKeys(MongoDatabase database, String collection) {
    Set<Set<String>> keys = new HashSet<>();
    keys.add(Set.of("_id"));
    for (Document index : database.getCollection(collection).listIndexes()) {
      if (index.getBoolean("unique", false)) {
        keys.add(index.get("key", Document.class).keySet());
      }
    }
    return keys;
  }

  private static List<BsonDocument> filters(Sent sent) {
    BsonDocument command = sent.command();
    return switch (sent.name()) {
      case "insert" -> List.of();
      case "find" -> List.of(command.getDocument("filter", new BsonDocument()));
      case "findAndModify" -> List.of(command.getDocument("query", new BsonDocument()));
      case "update" ->
          command.getArray("updates").stream().map(u -> u.asDocument().getDocument("q")).toList();
      case "delete" ->
          command.getArray("deletes").stream().map(d -> d.asDocument().getDocument("q")).toList();
      default -> throw new AssertionError("not a command of the write path: " + command.toJson());
    };
  }
}
