package dev.comments.events.query;

import dev.comments.events.ThreadId;

/**
 * One page of a thread's top-level comments, each with its whole reply tree.
 *
 * @param cursor the {@code nextCursor} of the previous page, or {@code null} for the first
 * @param viewerId whose own votes to show as {@code myVote}, or {@code null} for nobody
 */
public record FindThreadComments(
    ThreadId threadId, SortOrder sort, int limit, String cursor, String viewerId) {
  public static final int MAX_LIMIT = 100;
  public static final int DEFAULT_LIMIT = 20;

  public FindThreadComments {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }
  }
}
