package dev.comments.events;

import java.util.Locale;
import java.util.Optional;

/**
 * How a caller reads a store. Every method that touches a store takes one, so that the choice
 * between a fresh read and a cheap local one is made, and visible, at every call site.
 */
public enum ReadPreference {
  /** Reflects every write acknowledged before the read began; may cross regions to get it. */
  PRIMARY,
  /** The nearest copy: local and fast, possibly stale. */
  NEAREST;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ReadPreference> parse(String wireName) {
    for (ReadPreference preference : values()) {
      if (preference.wireName().equals(wireName)) {
        return Optional.of(preference);
      }
    }
    return Optional.empty();
  }
}
