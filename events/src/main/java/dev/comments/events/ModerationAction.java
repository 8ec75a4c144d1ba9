package dev.comments.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.Optional;

/** What a moderator does to one comment. */
public enum ModerationAction {
  @JsonProperty("approve")
  APPROVE,
  @JsonProperty("reject")
  REJECT,
  @JsonProperty("remove")
  REMOVE,
  @JsonProperty("restore")
  RESTORE,
  @JsonProperty("pin")
  PIN,
  @JsonProperty("unpin")
  UNPIN;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The action of a wire name, if it is one. */
  public static Optional<ModerationAction> ofWireName(String name) {
    for (ModerationAction action : values()) {
      if (action.wireName().equals(name)) {
        return Optional.of(action);
      }
    }
    return Optional.empty();
  }
}
