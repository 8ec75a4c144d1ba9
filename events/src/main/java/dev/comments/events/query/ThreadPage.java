package dev.comments.events.query;

import java.util.List;

/**
 * A page of a thread.
 *
 * @param nextCursor where the next page starts, or {@code null} on the last page
 * @param seq the sequence number of the last event of the thread that this page reflects
 */
public record ThreadPage(List<CommentView> comments, String nextCursor, long seq) {}
