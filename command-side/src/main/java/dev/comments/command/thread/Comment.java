package dev.comments.command.thread;

import dev.comments.events.CommentStatus;
import java.time.Instant;

/**
 * What the thread remembers of one comment: enough to decide, nothing to show.
 *
 * @param flagsSinceDecision flags since it was posted or a moderator last approved or restored it:
 *     what the tenant's flag threshold counts
 */
record Comment(
    String authorId,
    int depth,
    Instant postedAt,
    boolean deleted,
    CommentStatus status,
    boolean pinned,
    int flagsSinceDecision) {
  Comment markDeleted() {
    return new Comment(authorId, depth, postedAt, true, status, pinned, flagsSinceDecision);
  }

  Comment withStatus(CommentStatus newStatus) {
    boolean decided = newStatus == CommentStatus.APPROVED;
    return new Comment(
        authorId,
        depth,
        postedAt,
        deleted,
        newStatus,
        newStatus == CommentStatus.APPROVED && pinned,
        decided ? 0 : flagsSinceDecision);
  }

  Comment withPinned(boolean newPinned) {
    return new Comment(authorId, depth, postedAt, deleted, status, newPinned, flagsSinceDecision);
  }

  Comment flagged() {
    return new Comment(authorId, depth, postedAt, deleted, status, pinned, flagsSinceDecision + 1);
  }

  boolean shown() {
    return status == CommentStatus.APPROVED;
  }
}
