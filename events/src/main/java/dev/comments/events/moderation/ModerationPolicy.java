package dev.comments.events.moderation;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.Objects;

/**
 * How a tenant moderates: which new comments wait for a moderator, and how many flags hide a
 * comment until a moderator decides.
 *
 * @param preModeration which new comments are held as pending
 * @param flagThreshold the number of flags that hides a comment (it goes back to pending); 0 never
 */
public record ModerationPolicy(PreModeration preModeration, int flagThreshold) {
  public static final int DEFAULT_FLAG_THRESHOLD = 5;

  /** No pre-moderation; five flags hide a comment. */
  public static final ModerationPolicy DEFAULTS =
      new ModerationPolicy(PreModeration.NONE, DEFAULT_FLAG_THRESHOLD);

  /** Which new comments are held for a moderator. */
  public enum PreModeration {
    /** Every comment goes up at once. */
    @JsonProperty("none")
    NONE,
    /** Every comment waits for a moderator. */
    @JsonProperty("all")
    ALL,
    /** An author's comments wait until a moderator approved one of theirs in the thread. */
    @JsonProperty("first")
    FIRST;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException for anything but none, all or first
     */
    public static PreModeration of(String name) {
      for (PreModeration mode : values()) {
        if (mode.wireName().equals(name)) {
          return mode;
        }
      }
      throw new IllegalArgumentException(
          "pre-moderation must be none, all or first, not '" + name + "'");
    }
  }

  public ModerationPolicy {
    Objects.requireNonNull(preModeration, "preModeration");
    if (flagThreshold < 0) {
      throw new IllegalArgumentException("flagThreshold must not be negative: " + flagThreshold);
    }
  }
}
