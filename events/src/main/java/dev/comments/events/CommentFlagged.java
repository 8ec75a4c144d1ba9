package dev.comments.events;

import java.time.Instant;

/** A reader reported a comment to the moderators. */
public record CommentFlagged(
    String tenant,
    String thread,
    String commentId,
    String flaggerId,
    String reason,
    Instant flaggedAt)
    implements CommentEvent {}
