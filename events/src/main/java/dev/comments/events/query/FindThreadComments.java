package dev.comments.events.query;

import dev.comments.events.ThreadId;

/**
 * One page of a thread's top-level comments, each with the first {@code replyLimit} replies of its
 * tree.
 *
 * @param cursor the {@code nextCursor} of the previous page, or {@code null} for the first
 * @param replyLimit how many replies of each top-level comment's tree the page carries; the rest is
 *     paged with {@link FindReplies} from the comment's {@code repliesNextCursor}
 * @param viewerId whose own votes to show as {@code myVote}, or {@code null} for nobody
 */
public record FindThreadComments(
    ThreadId threadId, SortOrder sort, int limit, String cursor, int replyLimit, String viewerId) {
  public static final int MAX_LIMIT = 100;
  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_REPLY_LIMIT = 100;
  public static final int DEFAULT_REPLY_LIMIT = 20;

  public FindThreadComments {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }
    if (replyLimit < 0 || replyLimit > MAX_REPLY_LIMIT) {
      throw new IllegalArgumentException("replyLimit must be between 0 and " + MAX_REPLY_LIMIT);
    }
  }

  /** With the default reply limit. */
  public FindThreadComments(
      ThreadId threadId, SortOrder sort, int limit, String cursor, String viewerId) {
    this(threadId, sort, limit, cursor, DEFAULT_REPLY_LIMIT, viewerId);
  }
}
