package dev.comments.infra.node;

import com.mongodb.Tag;
import com.mongodb.TagSet;
import dev.comments.events.ReadPreference;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The one mapping of our {@link ReadPreference} to the MongoDB driver's, handed to both sides of a
 * node. {@code NEAREST} prefers the replica set members tagged with this node's region, so that a
 * node reads its own region's copy, and falls back to any member (the empty tag set) when none of
 * them is reachable: a read that may be stale may also cross an ocean rather than fail. {@code
 * PRIMARY} is the primary, wherever it is.
 */
public final class MongoReadPreferences
    implements Function<ReadPreference, com.mongodb.ReadPreference> {
  /** The member tag that names a member's region, as in {@code {region: "eu-central"}}. */
  public static final String REGION_TAG = "region";

  private final com.mongodb.ReadPreference nearest;

  /** Nearest reads prefer members whose {@value #REGION_TAG} tag is {@code region}. */
  public MongoReadPreferences(String region) {
    Objects.requireNonNull(region, "region");
    if (region.isBlank()) {
      throw new IllegalArgumentException("region must not be blank");
    }
    this.nearest =
        com.mongodb.ReadPreference.nearest(
            List.of(new TagSet(new Tag(REGION_TAG, region)), new TagSet()));
  }

  @Override
  public com.mongodb.ReadPreference apply(ReadPreference readPreference) {
    return switch (readPreference) {
      case PRIMARY -> com.mongodb.ReadPreference.primary();
      case NEAREST -> nearest;
    };
  }
}
