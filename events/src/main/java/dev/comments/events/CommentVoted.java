package dev.comments.events;

import java.time.Instant;

/**
 * A voter's stance on a comment changed from {@code previous} to {@code direction}; {@link
 * VoteDirection#NONE} means the vote was cleared. Carrying {@code previous} lets a projection
 * adjust its totals without remembering every voter.
 */
public record CommentVoted(
    String tenant,
    String thread,
    String commentId,
    String voterId,
    VoteDirection direction,
    VoteDirection previous,
    Instant votedAt)
    implements CommentEvent {}
