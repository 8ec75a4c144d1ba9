package dev.comments.events.query;

import java.util.Locale;
import java.util.Optional;

/** How the comments of a thread are ordered: by time either way, or by score (up minus down). */
public enum SortOrder {
  NEWEST,
  OLDEST,
  TOP;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<SortOrder> parse(String wireName) {
    for (SortOrder order : values()) {
      if (order.wireName().equals(wireName)) {
        return Optional.of(order);
      }
    }
    return Optional.empty();
  }
}
