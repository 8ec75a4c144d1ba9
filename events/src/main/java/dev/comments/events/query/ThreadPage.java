package dev.comments.events.query;

import java.util.List;

/**
 * A page of a thread.
 *
 * @param nextCursor where the next page starts, or {@code null} on the last page
 * @param seq the sequence number of the last event of the thread that this page reflects
 * @param locked whether the thread was locked at {@code seq}, so a reader knows before any live
 *     message that nothing can be added
 * @param mediaVersion the version of the node's media catalogue the page's media were read at: with
 *     {@code seq}, what the page's encoding may be kept for (a removal raises it)
 */
public record ThreadPage(
    List<CommentView> comments, String nextCursor, long seq, boolean locked, long mediaVersion) {
  /** A page whose media were read at no particular version of the catalogue. */
  public ThreadPage(List<CommentView> comments, String nextCursor, long seq, boolean locked) {
    this(comments, nextCursor, seq, locked, 0);
  }

  /** A page of a thread that is not locked. */
  public ThreadPage(List<CommentView> comments, String nextCursor, long seq) {
    this(comments, nextCursor, seq, false);
  }
}
