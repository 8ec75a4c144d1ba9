package dev.comments.query.ban;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import dev.comments.events.BanEvent;
import dev.comments.events.LoggedEvent;
import dev.comments.events.ReadPreference;
import dev.comments.events.UserBanned;
import dev.comments.events.UserUnbanned;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.BannedUsers;
import dev.comments.query.moderation.QueueStore;
import dev.comments.query.projection.Projection;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bson.Document;

/**
 * Every node's bans, fed by the log (stream {@code ban:tenant/userId}): held in memory for the
 * edge's check of every write, and written through to {@value #COLLECTION} ({@code _id} {@code
 * tenant/userId}, with the stream's seq, so a re-delivered event is a duplicate). The whole
 * collection is read once at start: it holds one document per user ever banned. A ban also takes
 * the user's pending comments out of the moderators' queue.
 */
public final class BanProjection implements Projection, BannedUsers {
  public static final String COLLECTION = "bans";

  private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);

  private record Standing(boolean banned, Instant until, long seq) {}

  private final MongoCollection<Document> bans;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;
  private final Supplier<QueueStore> queue;
  private final Map<String, Standing> standings = new ConcurrentHashMap<>();

  public BanProjection(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences,
      QueueStore queue) {
    this(database, readPreferences, () -> queue);
  }

  /** Hiding pending comments in whichever queue {@code queue} names at the time: it is swapped. */
  public BanProjection(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences,
      Supplier<QueueStore> queue) {
    this.bans = database.getCollection(COLLECTION);
    this.readPreferences = Objects.requireNonNull(readPreferences, "readPreferences");
    this.queue = queue;
    load(ReadPreference.PRIMARY);
  }

  private void load(ReadPreference readPreference) {
    for (Document doc : bans.withReadPreference(readPreferences.apply(readPreference)).find()) {
      Date until = doc.getDate("until");
      standings.put(
          doc.getString("_id"),
          new Standing(
              doc.getBoolean("banned", false),
              until == null ? null : until.toInstant(),
              doc.get("seq", Number.class).longValue()));
    }
  }

  @Override
  public Optional<Ban> banOf(String tenant, String userId, Instant now) {
    Standing standing = standings.get(tenant + "/" + userId);
    if (standing == null
        || !standing.banned()
        || (standing.until() != null && !standing.until().isAfter(now))) {
      return Optional.empty();
    }
    return Optional.of(new Ban(tenant, userId, standing.until()));
  }

  @Override
  public List<Ban> bansOf(String tenant, Instant now) {
    String prefix = tenant + "/";
    return standings.keySet().stream()
        .filter(key -> key.startsWith(prefix))
        .map(key -> banOf(tenant, key.substring(prefix.length()), now))
        .flatMap(Optional::stream)
        .sorted(Comparator.comparing(Ban::userId))
        .toList();
  }

  @Override
  public boolean follows(LoggedEvent event) {
    return event instanceof BanEvent;
  }

  @Override
  public Outcome apply(EventEnvelope envelope) {
    if (!(envelope.event() instanceof BanEvent event)) {
      throw new IllegalArgumentException("not a ban event: " + envelope.stream());
    }
    String key = event.tenant() + "/" + event.userId();
    Standing before = standings.get(key);
    long beforeSeq = before == null ? -1 : before.seq();
    if (envelope.seq() <= beforeSeq) {
      return Outcome.DUPLICATE;
    }
    Standing after =
        switch (event) {
          case UserBanned banned -> new Standing(true, banned.until(), envelope.seq());
          case UserUnbanned unbanned -> new Standing(false, null, envelope.seq());
        };
    QueueStore current = queue.get();
    if (event instanceof UserBanned && current != null) {
      current.hideAuthorsPending(event.tenant(), event.userId(), ReadPreference.PRIMARY);
    }
    bans.replaceOne(
        Filters.eq("_id", key),
        new Document("_id", key)
            .append("banned", after.banned())
            .append("until", after.until() == null ? null : Date.from(after.until()))
            .append("seq", after.seq()),
        UPSERT);
    standings.put(key, after);
    return envelope.seq() == beforeSeq + 1 ? Outcome.APPLIED : Outcome.APPLIED_AFTER_GAP;
  }

  /** Takes the pending comments of every user banned at {@code now} out of {@code target}. */
  public void hidePendingOfBanned(QueueStore target, Instant now) {
    standings.forEach(
        (key, standing) -> {
          int slash = key.indexOf('/');
          if (banOf(key.substring(0, slash), key.substring(slash + 1), now).isPresent()) {
            target.hideAuthorsPending(
                key.substring(0, slash), key.substring(slash + 1), ReadPreference.PRIMARY);
          }
        });
  }

  @Override
  public void reset() {
    bans.drop();
    standings.clear();
  }
}
