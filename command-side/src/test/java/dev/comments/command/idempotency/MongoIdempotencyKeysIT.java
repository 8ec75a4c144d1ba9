package dev.comments.command.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.comments.command.IdempotencyKeys.Answer;
import dev.comments.command.IdempotencyKeys.Claim;
import dev.comments.command.IdempotencyKeys.Entry;
import dev.comments.command.IdempotencyKeys.Key;
import dev.comments.events.ReadPreference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The key store on a MongoDB-wire server, spoken to through the real driver over a socket. */
class MongoIdempotencyKeysIT {
  private static final Key KEY = new Key("demo", "s-ann", "retry-1");
  private static final Answer CREATED = new Answer(201, "{\"commentId\":\"c1\"}", "tok-1");
  private static final Duration TTL = Duration.ofHours(24);
  private static final Duration LEASE = Duration.ofMinutes(1);

  private final SettableClock clock = new SettableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private MongoServer server;
  private MongoClient mongo;
  private MongoDatabase database;
  private MongoIdempotencyKeys keys;

  @BeforeEach
  void start() {
    server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", 0);
    mongo = MongoClients.create("mongodb://127.0.0.1:" + server.getLocalAddress().getPort());
    database = mongo.getDatabase("comments");
    keys =
        new MongoIdempotencyKeys(
            database,
            readPreference -> com.mongodb.ReadPreference.valueOf(readPreference.name()),
            clock,
            TTL,
            LEASE);
    keys.createIndexes();
  }

  @AfterEach
  void stop() {
    mongo.close();
    server.shutdownNow();
  }

  @Test
  void the_first_claim_holds_the_key_and_a_retry_while_it_runs_is_in_flight() {
    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY)).isEqualTo(new Claim.Claimed());
    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY)).isEqualTo(new Claim.InFlight());
    assertThat(keys.find(KEY, ReadPreference.PRIMARY)).contains(new Entry("h1", Optional.empty()));
  }

  @Test
  void a_completed_key_replays_its_answer_to_the_same_request() {
    keys.claim(KEY, "h1", ReadPreference.PRIMARY);
    keys.complete(KEY, "h1", CREATED);

    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY))
        .isEqualTo(new Claim.Answered(CREATED));
    assertThat(keys.find(KEY, ReadPreference.NEAREST))
        .contains(new Entry("h1", Optional.of(CREATED)));
    Document stored = collection().find(Filters.eq("_id", "demo/s-ann/retry-1")).first();
    assertThat(stored.getInteger("status")).isEqualTo(201);
    assertThat(stored.getString("token")).isEqualTo("tok-1");
    assertThat(stored.getDate("createdAt").toInstant()).isEqualTo(clock.instant());
  }

  @Test
  void a_key_reused_for_a_different_request_is_refused_running_or_answered() {
    keys.claim(KEY, "h1", ReadPreference.PRIMARY);
    assertThat(keys.claim(KEY, "h2", ReadPreference.PRIMARY)).isEqualTo(new Claim.Reused());

    keys.complete(KEY, "h1", CREATED);
    assertThat(keys.claim(KEY, "h2", ReadPreference.PRIMARY)).isEqualTo(new Claim.Reused());
  }

  @Test
  void a_released_key_can_be_claimed_again_so_a_server_failure_can_be_retried() {
    keys.claim(KEY, "h1", ReadPreference.PRIMARY);
    keys.release(KEY, "h1");

    assertThat(keys.find(KEY, ReadPreference.PRIMARY)).isEmpty();
    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY)).isEqualTo(new Claim.Claimed());
  }

  @Test
  void release_never_drops_a_remembered_answer_or_another_requests_claim() {
    keys.claim(KEY, "h1", ReadPreference.PRIMARY);
    keys.release(KEY, "h2");
    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY)).isEqualTo(new Claim.InFlight());

    keys.complete(KEY, "h1", CREATED);
    keys.release(KEY, "h1");
    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY))
        .isEqualTo(new Claim.Answered(CREATED));
  }

  @Test
  void keys_are_scoped_by_tenant_and_identity() {
    keys.claim(KEY, "h1", ReadPreference.PRIMARY);
    keys.complete(KEY, "h1", CREATED);

    assertThat(keys.claim(new Key("demo", "s-ben", "retry-1"), "h2", ReadPreference.PRIMARY))
        .isEqualTo(new Claim.Claimed());
    assertThat(keys.claim(new Key("other", "s-ann", "retry-1"), "h2", ReadPreference.PRIMARY))
        .isEqualTo(new Claim.Claimed());
  }

  @Test
  void an_answer_older_than_the_ttl_is_forgotten_even_where_ttl_indexes_are_ignored() {
    keys.claim(KEY, "h1", ReadPreference.PRIMARY);
    keys.complete(KEY, "h1", CREATED);

    clock.set(clock.instant().plus(TTL));

    assertThat(keys.find(KEY, ReadPreference.PRIMARY)).isEmpty();
    assertThat(keys.claim(KEY, "h2", ReadPreference.PRIMARY)).isEqualTo(new Claim.Claimed());
  }

  @Test
  void an_abandoned_claim_is_in_doubt_after_its_lease_never_claimed_as_new() {
    keys.claim(KEY, "h1", ReadPreference.PRIMARY);
    clock.set(clock.instant().plus(LEASE.minusSeconds(1)));
    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY)).isEqualTo(new Claim.InFlight());

    clock.set(clock.instant().plusSeconds(1));
    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY)).isEqualTo(new Claim.InDoubt());
    // The retry holds it now, with a fresh lease; the key still belongs to its first request.
    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY)).isEqualTo(new Claim.InFlight());
    assertThat(keys.claim(KEY, "h2", ReadPreference.PRIMARY)).isEqualTo(new Claim.Reused());
  }

  @Test
  void a_doubted_key_goes_to_the_next_retry_of_its_request_at_once() {
    keys.claim(KEY, "h1", ReadPreference.PRIMARY);
    keys.doubt(KEY, "h1");

    assertThat(keys.claim(KEY, "h2", ReadPreference.PRIMARY)).isEqualTo(new Claim.Reused());
    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY)).isEqualTo(new Claim.InDoubt());
    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY)).isEqualTo(new Claim.InFlight());

    keys.complete(KEY, "h1", CREATED);
    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY))
        .isEqualTo(new Claim.Answered(CREATED));
  }

  @Test
  void doubt_never_touches_a_remembered_answer() {
    keys.claim(KEY, "h1", ReadPreference.PRIMARY);
    keys.complete(KEY, "h1", CREATED);
    keys.doubt(KEY, "h1");

    assertThat(keys.claim(KEY, "h1", ReadPreference.PRIMARY))
        .isEqualTo(new Claim.Answered(CREATED));
  }

  @Test
  void of_racing_retries_of_a_key_in_doubt_exactly_one_settles_it() throws Exception {
    keys.claim(KEY, "h1", ReadPreference.PRIMARY);
    keys.doubt(KEY, "h1");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Claim>> racers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        racers.add(() -> keys.claim(KEY, "h1", ReadPreference.PRIMARY));
      }
      List<Claim> outcomes = new ArrayList<>();
      for (Future<Claim> outcome : pool.invokeAll(racers)) {
        outcomes.add(outcome.get());
      }
      assertThat(outcomes).filteredOn(c -> c instanceof Claim.InDoubt).hasSize(1);
      assertThat(outcomes).filteredOn(c -> c instanceof Claim.InFlight).hasSize(15);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void of_racing_claims_exactly_one_wins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Claim>> racers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        racers.add(() -> keys.claim(KEY, "h1", ReadPreference.PRIMARY));
      }
      List<Claim> outcomes = new ArrayList<>();
      for (Future<Claim> outcome : pool.invokeAll(racers)) {
        outcomes.add(outcome.get());
      }
      assertThat(outcomes).filteredOn(c -> c instanceof Claim.Claimed).hasSize(1);
      assertThat(outcomes).filteredOn(c -> c instanceof Claim.InFlight).hasSize(15);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void the_collection_has_a_ttl_index_on_created_at() {
    assertThat(collection().listIndexes())
        .anySatisfy(
            index -> {
              assertThat(index.get("key", Document.class)).containsEntry("createdAt", 1);
              assertThat(((Number) index.get("expireAfterSeconds")).longValue())
                  .isEqualTo(TTL.toSeconds());
            });
  }

  private MongoCollection<Document> collection() {
    return database.getCollection(MongoIdempotencyKeys.COLLECTION);
  }

  /** A clock the test moves; the store reads time only through it. */
  private static final class SettableClock extends Clock {
    private volatile Instant now;

    SettableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
