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
 * {@code {_id: "tenant/identity/key", requestHash, createdAt, claimedAt, inDoubt, status, body,
 * token}}; {@code status} is absent until the answer is known, {@code claimedAt} is when the
 * current holder took the key.
 *
 * <p>A claim is an insert of a new {@code _id}: the unique key makes it atomic on one document, so
 * two racing retries cannot both run (no transaction needed); taking over an entry is a replace or
 * update conditioned on the {@code createdAt} or {@code claimedAt} that was read. Entries expire
 * after {@code ttl} through a TTL index on {@code createdAt}; since MongoDB's TTL monitor runs only
 * once a minute (and mongo-java-server may not enforce TTL indexes at all), an entry older than
 * that is also treated as gone here and taken over. A key marked in doubt, or a claim whose holder
 * died (neither completed, released nor doubted within {@code pendingLease}), is handed to the next
 * retry of the same request as {@link Claim.InDoubt}: its command is sent again under the same key
 * and the thread settles it, so it is never applied twice.
 */
public final class MongoIdempotencyKeys implements IdempotencyKeys {
  public static final String COLLECTION = "idempotency_keys";
  public static final Duration DEFAULT_TTL = IdempotencyKeys.KEPT_FOR;

  /**
   * Far beyond any command's run time (commands take milliseconds, bounded by the edge); after it,
   * a pending claim is in doubt.
   */
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
    // Two rounds at most: an entry that vanishes (released, expired) or is taken by another retry
    // between the insert and the write is looked at once more; losing twice means it is held now.
    for (int attempt = 0; attempt < 2; attempt++) {
      Instant now = clock.instant();
      if (insert(key, requestHash, now)) {
        return new Claim.Claimed();
      }
      Document existing = read(key, readPreference);
      if (existing == null) {
        continue;
      }
      Date createdAt = existing.getDate("createdAt");
      if (!Duration.between(createdAt.toInstant(), now).minus(ttl).isNegative()) {
        if (takeOver(key, requestHash, createdAt, now)) {
          return new Claim.Claimed();
        }
        continue;
      }
      if (!requestHash.equals(existing.getString("requestHash"))) {
        return new Claim.Reused();
      }
      if (existing.getInteger("status") != null) {
        return new Claim.Answered(answerOf(existing));
      }
      Date claimedAt = Objects.requireNonNullElse(existing.getDate("claimedAt"), createdAt);
      boolean abandoned =
          !Duration.between(claimedAt.toInstant(), now).minus(pendingLease).isNegative();
      if (!existing.getBoolean("inDoubt", false) && !abandoned) {
        return new Claim.InFlight();
      }
      if (reclaim(key, claimedAt, now)) {
        return new Claim.InDoubt();
      }
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
  public void doubt(Key key, String requestHash) {
    collection.updateOne(
        Filters.and(
            Filters.eq("_id", key.id()),
            Filters.eq("requestHash", requestHash),
            Filters.exists("status", false)),
        Updates.set("inDoubt", true));
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
              .append("createdAt", Date.from(now))
              .append("claimedAt", Date.from(now)));
      return true;
    } catch (MongoWriteException e) {
      if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
        return false;
      }
      throw e;
    }
  }

  /** Replaces an expired entry, unless another caller replaced it first. */
  private boolean takeOver(Key key, String requestHash, Date seenCreatedAt, Instant now) {
    log.debug("Taking over an expired idempotency key {}", key.id());
    return collection
            .replaceOne(
                Filters.and(Filters.eq("_id", key.id()), Filters.eq("createdAt", seenCreatedAt)),
                new Document("_id", key.id())
                    .append("requestHash", requestHash)
                    .append("createdAt", Date.from(now))
                    .append("claimedAt", Date.from(now)))
            .getModifiedCount()
        == 1;
  }

  /**
   * Hands a key in doubt (or abandoned) to this retry, unless another retry took it first; the
   * entry keeps its request and {@code createdAt}, so its expiry does not move.
   */
  private boolean reclaim(Key key, Date seenClaimedAt, Instant now) {
    log.debug("Settling idempotency key {}, whose outcome is in doubt", key.id());
    return collection
            .updateOne(
                Filters.and(
                    Filters.eq("_id", key.id()),
                    Filters.or(
                        Filters.eq("claimedAt", seenClaimedAt), Filters.exists("claimedAt", false)),
                    Filters.exists("status", false)),
                Updates.combine(
                    Updates.set("claimedAt", Date.from(now)), Updates.set("inDoubt", false)))
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
