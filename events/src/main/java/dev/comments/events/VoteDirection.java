package dev.comments.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.Optional;

/** A voter's stance on a comment; {@link #NONE} is no vote, or a vote cleared. */
public enum VoteDirection {
  @JsonProperty("up")
  UP,
  @JsonProperty("down")
  DOWN,
  @JsonProperty("none")
  NONE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<VoteDirection> parse(String wireName) {
    for (VoteDirection direction : values()) {
      if (direction.wireName().equals(wireName)) {
        return Optional.of(direction);
      }
    }
    return Optional.empty();
  }
}
