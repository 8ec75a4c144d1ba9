package dev.comments.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.comments.command.Accepted;
import dev.comments.command.CommandSide;
import dev.comments.command.CommandSideSettings;
import dev.comments.command.CommentCommands;
import dev.comments.command.IdempotencyKeys;
import dev.comments.command.locator.CommentLocator;
import dev.comments.edge.consistency.ConsistencyToken;
import dev.comments.edge.consistency.ConsistencyTokens;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.testing.FakeProjectionStatus;
import dev.comments.edge.testing.InMemoryRevocations;
import dev.comments.edge.testing.MutableClock;
import dev.comments.edge.testing.QuietFeeds;
import dev.comments.edge.testing.RecordingQueries;
import dev.comments.edge.testing.TestEdgeSettings;
import dev.comments.edge.testing.TestKeys;
import dev.comments.events.Author;
import dev.comments.events.ModerationAction;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A retried command whose first attempt has no known outcome, end to end: a real edge over the real
 * command side (Axon, its MongoDB event store and key store on a MongoDB-wire server through the
 * driver). Failures are injected where they happen in production: the answer of a stored command
 * lost on its way back to the edge, a command that never reached the store, a key store that stops
 * answering after the claim. The retry under the same key is applied exactly once.
 */
class InDoubtRetryIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ThreadId T1 = new ThreadId("demo", "t1");
  private static final String POSTS = "/api/v1/tenants/demo/threads/t1/comments";
  private static final String POST_BODY = "{\"text\":\"hello\"}";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private MongoServer mongoServer;
  private MongoClient mongo;
  private CommandSide commandSide;
  private LossyCommands commands;
  private FailingKeyStore keys;
  private EdgeServer edge;
  private String session;

  @BeforeEach
  void start() throws Exception {
    mongoServer = new MongoServer(new MemoryBackend());
    mongoServer.bind("127.0.0.1", 0);
    mongo = MongoClients.create("mongodb://127.0.0.1:" + mongoServer.getLocalAddress().getPort());
    // Nothing is published here: no broker is needed, and nothing listens on port 9.
    commandSide =
        CommandSide.start(
            CommandSideSettings.defaults("comments", "127.0.0.1:9").withPublisherEnabled(false),
            mongo,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            clock);
    commands = new LossyCommands(commandSide.commands());
    InMemoryRevocations revocations = new InMemoryRevocations();
    keys = new FailingKeyStore(commandSide.idempotencyKeys());
    edge =
        EdgeServer.start(
            TestEdgeSettings.node("primary-1").threads(2, 4).build(),
            new NodeRole.Primary(commands, keys, commandSide.positions(), revocations),
            new ReadSide(
                new RecordingQueries(), new QuietFeeds(), new FakeProjectionStatus(), revocations),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            clock);
    session = session();
  }

  @AfterEach
  void stop() {
    if (edge != null) {
      edge.close();
    }
    if (commandSide != null) {
      commandSide.close();
    }
    client.close();
    mongo.close();
    mongoServer.shutdownNow();
  }

  @Test
  void a_post_stored_whose_answer_was_lost_is_settled_by_its_retry_with_its_comment_id()
      throws Exception {
    commands.loseAnswers = true;
    assertError(post("k-1", POST_BODY), 500, "internal");
    commands.loseAnswers = false;
    assertThat(events()).hasSize(1);

    HttpResponse<String> retry = post("k-1", POST_BODY);
    HttpResponse<String> again = post("k-1", POST_BODY);

    assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
    assertThat(events()).hasSize(1);
    assertAnswersAsTheFirstSuccess(retry, storedCommentId(0));
    // The retry's own comment id (made before the thread settled it) was forgotten again.
    assertThat(locator().countDocuments()).isEqualTo(1);
    // Its answer is now the key's answer.
    assertThat(again.body()).isEqualTo(retry.body());
    assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
  }

  @Test
  void a_command_that_never_reached_the_store_is_applied_by_its_retry_once() throws Exception {
    commands.failBeforeSending = true;
    assertError(post("k-1", POST_BODY), 500, "internal");
    commands.failBeforeSending = false;
    assertThat(events()).isEmpty();

    HttpResponse<String> retry = post("k-1", POST_BODY);

    assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
    assertThat(events()).hasSize(1);
    assertAnswersAsTheFirstSuccess(retry, storedCommentId(0));
  }

  @Test
  void an_abandoned_claim_is_settled_after_its_lease_and_not_applied_again() throws Exception {
    // The command is stored, then neither its answer nor the key's fate reaches the key store:
    // as if the node died right after the write.
    commands.loseAnswers = true;
    keys.down = true;
    assertError(post("k-1", POST_BODY), 500, "internal");
    commands.loseAnswers = false;
    keys.down = false;

    assertError(post("k-1", POST_BODY), 409, "idempotency_key_in_flight");
    clock.advance(Duration.ofMinutes(1));
    HttpResponse<String> retry = post("k-1", POST_BODY);

    assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
    assertThat(events()).hasSize(1);
    assertAnswersAsTheFirstSuccess(retry, storedCommentId(0));
  }

  @Test
  void a_vote_sent_twice_without_a_key_stays_up() throws Exception {
    String commentId = MAPPER.readTree(post(null, POST_BODY).body()).get("commentId").textValue();
    String vote = "/api/v1/tenants/demo/comments/" + commentId + "/vote";

    assertThat(send(vote, "{\"direction\":\"up\"}", null).statusCode()).isEqualTo(200);
    assertThat(send(vote, "{\"direction\":\"up\"}", null).statusCode()).isEqualTo(200);

    assertThat(events())
        .extracting(e -> e.getString("payloadType"))
        .containsExactly("dev.comments.events.CommentPosted", "dev.comments.events.CommentVoted");
    assertThat(send(vote, "{\"direction\":\"none\"}", null).statusCode()).isEqualTo(200);
    assertThat(events()).hasSize(3);
  }

  // ---- what a first success would have said ----

  private static void assertAnswersAsTheFirstSuccess(HttpResponse<String> reply, String commentId)
      throws Exception {
    JsonNode body = MAPPER.readTree(reply.body());
    assertThat(body.get("commentId").textValue()).isEqualTo(commentId);
    ConsistencyToken token =
        new ConsistencyTokens(KeyRing.of(TestKeys.CONSISTENCY), Clock.systemUTC())
            .decode(body.get("token").textValue(), "demo");
    assertThat(token).isEqualTo(new ConsistencyToken(T1, 0));
    assertThat(reply.headers().firstValue("X-Consistency-Token"))
        .hasValue(body.get("token").textValue());
  }

  private List<Document> events() {
    return mongo
        .getDatabase("comments")
        .getCollection("domainevents")
        .find(Filters.eq("aggregateIdentifier", T1.streamId()))
        .into(new java.util.ArrayList<>());
  }

  private String storedCommentId(int index) throws Exception {
    return MAPPER
        .readTree(events().get(index).getString("serializedPayload"))
        .get("commentId")
        .textValue();
  }

  private MongoCollection<Document> locator() {
    return mongo.getDatabase("comments").getCollection(CommentLocator.COLLECTION);
  }

  // ---- HTTP ----

  private String session() throws Exception {
    HttpResponse<String> created =
        client.send(
            HttpRequest.newBuilder(uri("/api/v1/tenants/demo/sessions"))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{}"))
                .build(),
            BodyHandlers.ofString());
    assertThat(created.statusCode()).isEqualTo(201);
    return MAPPER.readTree(created.body()).get("sessionToken").textValue();
  }

  private HttpResponse<String> post(String key, String body) throws Exception {
    return send(POSTS, body, key);
  }

  private HttpResponse<String> send(String path, String body, String key) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + session)
            .POST(BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return client.send(request.build(), BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + edge.port() + path);
  }

  private static void assertError(HttpResponse<String> reply, int status, String code)
      throws Exception {
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(status);
    assertThat(MAPPER.readTree(reply.body()).get("error").get("code").textValue()).isEqualTo(code);
  }

  // ---- failures at the boundaries ----

  /**
   * The real command side, with the trip to it failing on demand: before the command is sent, or
   * after it was stored (its answer lost, as on a timeout or a dropped connection).
   */
  private static final class LossyCommands implements CommentCommands {
    private final CommentCommands real;
    private final LossyCommands switches;
    volatile boolean failBeforeSending;
    volatile boolean loseAnswers;

    LossyCommands(CommentCommands real) {
      this.real = real;
      this.switches = this;
    }

    private LossyCommands(CommentCommands real, LossyCommands switches) {
      this.real = real;
      this.switches = switches;
    }

    @Override
    public CommentCommands keyed(IdempotencyKeys.Key key, String requestHash) {
      return new LossyCommands(real.keyed(key, requestHash), switches);
    }

    private Accepted trip(java.util.function.Supplier<Accepted> command) {
      if (switches.failBeforeSending) {
        throw new IllegalStateException("the command side could not be reached");
      }
      Accepted accepted = command.get();
      if (switches.loseAnswers) {
        throw new IllegalStateException("the answer was lost after the write");
      }
      return accepted;
    }

    @Override
    public Accepted post(
        ThreadId thread,
        String parentId,
        Author author,
        String text,
        java.util.List<String> media,
        dev.comments.events.HostPage page) {
      return trip(() -> real.post(thread, parentId, author, text, media, page));
    }

    @Override
    public Accepted edit(
        String tenant, String commentId, String editorId, String text, List<String> media) {
      return trip(() -> real.edit(tenant, commentId, editorId, text, media));
    }

    @Override
    public Accepted delete(String tenant, String commentId, String requesterId) {
      return trip(() -> real.delete(tenant, commentId, requesterId));
    }

    @Override
    public Accepted vote(String tenant, String commentId, String voterId, VoteDirection direction) {
      return trip(() -> real.vote(tenant, commentId, voterId, direction));
    }

    @Override
    public Accepted flag(String tenant, String commentId, String flaggerId, String reason) {
      return trip(() -> real.flag(tenant, commentId, flaggerId, reason));
    }

    @Override
    public Accepted moderate(
        String tenant,
        String commentId,
        ModerationAction action,
        String moderatorId,
        String reason) {
      return trip(() -> real.moderate(tenant, commentId, action, moderatorId, reason));
    }

    @Override
    public long ban(
        String tenant, String userId, String moderatorId, String reason, java.time.Instant until) {
      return real.ban(tenant, userId, moderatorId, reason, until);
    }

    @Override
    public long unban(String tenant, String userId, String moderatorId, String reason) {
      return real.unban(tenant, userId, moderatorId, reason);
    }

    @Override
    public Accepted lock(ThreadId thread, String moderatorId) {
      return trip(() -> real.lock(thread, moderatorId));
    }

    @Override
    public Accepted unlock(ThreadId thread, String moderatorId) {
      return trip(() -> real.unlock(thread, moderatorId));
    }
  }

  /** The real key store, whose writes after the claim fail while it is {@link #down}. */
  private static final class FailingKeyStore implements IdempotencyKeys {
    private final IdempotencyKeys real;
    volatile boolean down;

    FailingKeyStore(IdempotencyKeys real) {
      this.real = real;
    }

    @Override
    public Claim claim(Key key, String requestHash, ReadPreference readPreference) {
      return real.claim(key, requestHash, readPreference);
    }

    @Override
    public void complete(Key key, String requestHash, Answer answer) {
      failWhenDown();
      real.complete(key, requestHash, answer);
    }

    @Override
    public void release(Key key, String requestHash) {
      failWhenDown();
      real.release(key, requestHash);
    }

    @Override
    public void doubt(Key key, String requestHash) {
      failWhenDown();
      real.doubt(key, requestHash);
    }

    @Override
    public Optional<Entry> find(Key key, ReadPreference readPreference) {
      return real.find(key, readPreference);
    }

    private void failWhenDown() {
      if (down) {
        throw new IllegalStateException("the key store is unreachable");
      }
    }
  }
}
