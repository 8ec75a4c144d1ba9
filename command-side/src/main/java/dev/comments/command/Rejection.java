package dev.comments.command;

import java.util.Locale;

/** The business rules a command can break, each with a stable machine code for clients. */
public enum Rejection {
  TEXT_EMPTY,
  TEXT_TOO_LONG,
  TEXT_INVALID,
  REASON_INVALID,
  PARENT_NOT_FOUND,
  REPLY_TOO_DEEP,
  THREAD_NOT_FOUND,
  COMMENT_NOT_FOUND,
  COMMENT_DELETED,
  NOT_AUTHOR,
  EDIT_WINDOW_CLOSED,
  THREAD_LOCKED,
  ALREADY_FLAGGED,
  // Media uploads and removals.
  MEDIA_TOO_LARGE,
  MEDIA_TYPE_UNSUPPORTED,
  MEDIA_TYPE_MISMATCH,
  MEDIA_TRUNCATED,
  MEDIA_DIMENSIONS_TOO_LARGE,
  MEDIA_NOT_FOUND,
  /** A comment names media that no upload of its tenant made. */
  UNKNOWN_MEDIA,
  /** A comment names media a moderator removed. */
  MEDIA_REMOVED,
  /** The action does not apply to the comment as it stands (restore a comment never removed). */
  MODERATION_NOT_ALLOWED,
  /** An unban of a user who is not banned. */
  NOT_BANNED;

  /** The machine code, e.g. {@code thread_locked}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
