package dev.comments.command.idempotency;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import dev.comments.command.IdempotencyKeys;
import dev.comments.events.ReadPreference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link IdempotencyKeys} in the command side's MongoDB database, collection {@value #COLLECTION}:
 * {@code {_id: "tenant/identity/key", requestHash, status, body, token, createdAt}}; {@code status}
 * is absent while the command runs.
 *
 * <p>A claim is an insert of a new {@code _id}: the unique key makes it atomic on one document, so
 * two racing retries cannot both run (no transaction needed). Entries expire after {@code ttl}
 * through a TTL index on {@code createdAt}; since MongoDB's TTL monitor runs only once a minute
 * (and mongo-java-server may not enforce TTL indexes at all), an entry older than that is also
 * treated as gone here and taken over. A claim whose holder died (never completed nor released)
 * blocks its key for {@code pendingLease}, then is taken over too; the command may then run twice,
 * which is the price of not blocking a key for a day after a crash.
 */
public final class MongoIdempotencyKeys implements IdempotencyKeys {
  public static final String COLLECTION = "idempotency_keys";
  public static final Duration DEFAULT_TTL = Duration.ofHours(24);

  /** Far beyond any command's run time (commands take milliseconds, bounded by the edge). */
  public static final Duration DEFAULT_PENDING_LEASE = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(MongoIdempotencyKeys.class);

  private final MongoCollection<Document> collection;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;
  private final Clock clock;
  private final Duration ttl;
  private final Duration pendingLease;

  /**
   * @param readPreferences the node's mapping of read preferences to the driver's, the one the
   *     comment locator uses too
   */
  public MongoIdempotencyKeys(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences,
      Clock clock,
      Duration ttl,
      Duration pendingLease) {
    this.collection = database.getCollection(COLLECTION);
    this.readPreferences = Objects.requireNonNull(readPreferences, "readPreferences");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.pendingLease = Objects.requireNonNull(pendingLease, "pendingLease");
  }

  /** Creates the TTL index (idempotent); called once at start. */
  public void createIndexes() {
    collection.createIndex(
        Indexes.ascending("createdAt"),
        new IndexOptions().name("expire_createdAt").expireAfter(ttl.toSeconds(), TimeUnit.SECONDS));
  }

  @Override
  public Claim claim(Key key, String requestHash, ReadPreference readPreference) {
    Objects.requireNonNull(requestHash, "requestHash");
    // Two rounds at most: an entry that vanishes (released, expired) between the insert and the
    // read is claimed again once; losing twice in a row means someone else holds it now.
    for (int attempt = 0; attempt < 2; attempt++) {
      Instant now = clock.instant();
      if (insert(key, requestHash, now)) {
        return new Claim.Claimed();
      }
      Document existing = read(key, readPreference);
      if (existing == null) {
        continue;
      }
      Instant createdAt = existing.getDate("createdAt").toInstant();
      boolean answered = existing.getInteger("status") != null;
      Duration age = Duration.between(createdAt, now);
      if (age.compareTo(answered ? ttl : pendingLease) >= 0) {
        if (takeOver(key, requestHash, existing.getDate("createdAt"), now)) {
          return new Claim.Claimed();
        }
        continue;
      }
      if (!requestHash.equals(existing.getString("requestHash"))) {
        return new Claim.Reused();
      }
      return answered ? new Claim.Answered(answerOf(existing)) : new Claim.InFlight();
    }
    return new Claim.InFlight();
  }

  @Override
  public void complete(Key key, String requestHash, Answer answer) {
    collection.updateOne(
        Filters.and(
            Filters.eq("_id", key.id()),
            Filters.eq("requestHash", requestHash),
            Filters.exists("status", false)),
        Updates.combine(
            Updates.set("status", answer.status()),
            Updates.set("body", answer.body()),
            Updates.set("token", answer.token())));
  }

  @Override
  public void release(Key key, String requestHash) {
    collection.deleteOne(
        Filters.and(
            Filters.eq("_id", key.id()),
            Filters.eq("requestHash", requestHash),
            Filters.exists("status", false)));
  }

  @Override
  public Optional<Entry> find(Key key, ReadPreference readPreference) {
    Document existing = read(key, readPreference);
    if (existing == null
        || !Duration.between(existing.getDate("createdAt").toInstant(), clock.instant())
            .minus(ttl)
            .isNegative()) {
      return Optional.empty();
    }
    Optional<Answer> answer =
        existing.getInteger("status") == null ? Optional.empty() : Optional.of(answerOf(existing));
    return Optional.of(new Entry(existing.getString("requestHash"), answer));
  }

  private boolean insert(Key key, String requestHash, Instant now) {
    try {
      collection.insertOne(
          new Document("_id", key.id())
              .append("requestHash", requestHash)
              .append("createdAt", Date.from(now)));
      return true;
    } catch (MongoWriteException e) {
      if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
        return false;
      }
      throw e;
    }
  }

  /** Replaces an expired or abandoned entry, unless another caller replaced it first. */
  private boolean takeOver(Key key, String requestHash, Date seenCreatedAt, Instant now) {
    log.debug("Taking over an expired or abandoned idempotency key {}", key.id());
    return collection
            .replaceOne(
                Filters.and(Filters.eq("_id", key.id()), Filters.eq("createdAt", seenCreatedAt)),
                new Document("_id", key.id())
                    .append("requestHash", requestHash)
                    .append("createdAt", Date.from(now)))
            .getModifiedCount()
        == 1;
  }

  private Document read(Key key, ReadPreference readPreference) {
    return collection
        .withReadPreference(readPreferences.apply(readPreference))
        .find(Filters.eq("_id", key.id()))
        .first();
  }

  private static Answer answerOf(Document entry) {
    return new Answer(
        entry.getInteger("status"), entry.getString("body"), entry.getString("token"));
  }
}
