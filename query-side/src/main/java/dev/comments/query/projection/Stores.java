package dev.comments.query.projection;

import dev.comments.events.ReadPreference;

/** Maps the read preference every store method names to the MongoDB driver's. */
public final class Stores {
  private Stores() {}

  public static com.mongodb.ReadPreference driver(ReadPreference readPreference) {
    return switch (readPreference) {
      case PRIMARY -> com.mongodb.ReadPreference.primary();
      case NEAREST -> com.mongodb.ReadPreference.nearest();
    };
  }
}
