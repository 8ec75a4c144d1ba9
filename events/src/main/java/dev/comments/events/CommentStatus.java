package dev.comments.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** Where a comment stands with the moderators; only an approved comment is shown in full. */
public enum CommentStatus {
  /** Waiting for a moderator: held by pre-moderation, or hidden by flags. Not shown. */
  @JsonProperty("pending")
  PENDING,
  /** Shown. */
  @JsonProperty("approved")
  APPROVED,
  /** A pending comment a moderator turned down. Not shown. */
  @JsonProperty("rejected")
  REJECTED,
  /** A shown comment a moderator took down: its place in the tree stays, without text. */
  @JsonProperty("removed")
  REMOVED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
