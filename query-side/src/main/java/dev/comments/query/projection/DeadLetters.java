package dev.comments.query.projection;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import dev.comments.events.ReadPreference;
import dev.comments.query.DeadLetter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.bson.Document;

/**
 * Events a projection could not apply, parked in {@value #COLLECTION} with the error, so that the
 * events behind them go on: one document per projection and event ({@code _id} {@code
 * projection/tenant/thread#seq}), or per log record for one that could not even be decoded ({@code
 * _id} the projection {@value #ALL}, a slash and {@code topic-partition@offset}). They are listed
 * and retried (after a fix) through the admin routes; a retry that succeeds removes the letter.
 */
public final class DeadLetters {
  public static final String COLLECTION = "dead_letters";

  /** The projection name of a record no projection could read: it is retried on all of them. */
  public static final String ALL = "*";

  /** At most this many letters are listed. */
  public static final int MAX_LISTED = 1000;

  private final MongoCollection<Document> letters;
  private final Clock clock;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;

  public DeadLetters(
      MongoCollection<Document> letters,
      Clock clock,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this.letters = Objects.requireNonNull(letters, "letters");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.readPreferences = Objects.requireNonNull(readPreferences, "readPreferences");
  }

  /** Parks (or parks again, counting the attempt) one event of {@code projection}. */
  public void park(String projection, String position, String record, Throwable error) {
    String id = projection + "/" + position;
    Date now = Date.from(clock.instant());
    // One upsert, no read: the first failure's time stays, every attempt is counted.
    letters.updateOne(
        eq("_id", id),
        new Document(
                "$set",
                new Document("projection", projection)
                    .append("position", position)
                    .append("record", record)
                    .append("error", describe(error))
                    .append("lastFailedAt", now))
            .append("$setOnInsert", new Document("firstFailedAt", now))
            .append("$inc", new Document("attempts", 1)),
        new UpdateOptions().upsert(true));
  }

  public void remove(String id) {
    letters.deleteOne(eq("_id", id));
  }

  /** The parked letters, oldest id first; at most {@link #MAX_LISTED}. */
  public List<DeadLetter> list(ReadPreference readPreference) {
    List<DeadLetter> found = new ArrayList<>();
    for (Document doc :
        letters
            .withReadPreference(readPreferences.apply(readPreference))
            .find()
            .sort(Sorts.ascending("_id"))
            .limit(MAX_LISTED)) {
      found.add(
          new DeadLetter(
              doc.getString("_id"),
              doc.getString("projection"),
              doc.getString("position"),
              doc.getString("record"),
              doc.getString("error"),
              doc.getInteger("attempts", 0),
              doc.getDate("firstFailedAt").toInstant(),
              doc.getDate("lastFailedAt").toInstant()));
    }
    return found;
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getName() + (message == null ? "" : ": " + message);
  }
}
