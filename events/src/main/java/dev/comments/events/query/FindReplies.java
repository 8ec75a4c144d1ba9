package dev.comments.events.query;

import dev.comments.events.ThreadId;
import java.util.Objects;

/**
 * The replies of one comment's tree (all its descendants) in the order they were written, from a
 * {@code repliesNextCursor} on.
 *
 * @param cursor where to continue, or {@code null} for the first replies
 * @param viewerId whose own votes to show as {@code myVote}, or {@code null} for nobody
 */
public record FindReplies(
    ThreadId threadId, String commentId, int limit, String cursor, String viewerId) {
  public static final int MAX_LIMIT = 100;
  public static final int DEFAULT_LIMIT = 20;

  public FindReplies {
    Objects.requireNonNull(threadId, "threadId");
    Objects.requireNonNull(commentId, "commentId");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }
  }
}
