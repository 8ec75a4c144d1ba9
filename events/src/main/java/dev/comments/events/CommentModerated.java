package dev.comments.events;

import java.time.Instant;

/**
 * A moderator acted on a comment: approved, rejected, removed, restored, pinned or unpinned it.
 *
 * @param moderatorId who acted: a moderator's id, or {@code admin} for the tenant admin key
 * @param reason why, as the moderator wrote it; null when none was given
 */
public record CommentModerated(
    String tenant,
    String thread,
    String commentId,
    ModerationAction action,
    String moderatorId,
    String reason,
    Instant moderatedAt)
    implements CommentEvent {}
