package dev.comments.events.query;

import java.util.List;

/**
 * Replies of a comment's tree, oldest first. A reply whose parent is in this page is nested under
 * it; the others (their parent came on an earlier page) are listed at the top, and their {@code
 * parentId} says where they belong.
 *
 * @param nextCursor where the next replies start, or {@code null} when there are no more
 * @param seq the sequence number of the last event of the thread that this page reflects
 * @param mediaVersion the version of the node's media catalogue the page's media were read at
 */
public record RepliesPage(
    List<CommentView> replies, String nextCursor, long seq, long mediaVersion) {
  /** Replies whose media were read at no particular version of the catalogue. */
  public RepliesPage(List<CommentView> replies, String nextCursor, long seq) {
    this(replies, nextCursor, seq, 0);
  }
}
