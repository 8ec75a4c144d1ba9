package dev.comments.query.projection;

import dev.comments.events.ReadPreference;
import java.util.function.Function;

/**
 * The query side's default for turning the read preference every store method names into the
 * MongoDB driver's. The node passes its own mapping in ({@code QuerySide.start}); it is the one
 * that knows the node's region and tags {@code nearest} with it. This default, for callers that
 * pass none (tests, tools), is the driver's untagged mode of the same name.
 */
public final class Stores {
  /** {@code PRIMARY} → {@code primary()}, {@code NEAREST} → {@code nearest()}, without tags. */
  public static final Function<ReadPreference, com.mongodb.ReadPreference> UNTAGGED =
      readPreference -> com.mongodb.ReadPreference.valueOf(readPreference.name());

  private Stores() {}
}
