package dev.comments.query.projection;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.ReplaceOptions;
import dev.comments.events.ReadPreference;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.bson.Document;

/**
 * Which copy of each projection serves, in {@value #COLLECTION}: its generation (0 is the copy in
 * the plain collection names; a rebuild fills generation n+1 beside it and then records it here)
 * and the code version that built it. A version below the code's makes the node rebuild at start.
 */
public final class Generations {
  public static final String COLLECTION = "projection_generations";

  /** The generation and version one projection's live copy has. */
  public record Live(int generation, int version) {}

  private final MongoCollection<Document> generations;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;

  public Generations(
      MongoCollection<Document> generations,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this.generations = Objects.requireNonNull(generations, "generations");
    this.readPreferences = Objects.requireNonNull(readPreferences, "readPreferences");
  }

  public Optional<Live> live(String name, ReadPreference readPreference) {
    Document doc =
        generations
            .withReadPreference(readPreferences.apply(readPreference))
            .find(eq("_id", name))
            .first();
    return Optional.ofNullable(doc)
        .map(d -> new Live(d.getInteger("generation", 0), d.getInteger("version", 0)));
  }

  public void record(String name, Live live) {
    generations.replaceOne(
        eq("_id", name),
        new Document("_id", name)
            .append("generation", live.generation())
            .append("version", live.version()),
        new ReplaceOptions().upsert(true));
  }

  /** The suffix of a generation's collection names. */
  public static String suffixOf(int generation) {
    return generation == 0 ? "" : "_g" + generation;
  }
}
