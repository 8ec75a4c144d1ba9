package dev.comments.events;

import java.time.Instant;

/**
 * A shown comment reached the tenant's flag threshold: it is hidden (pending) until a moderator
 * approves or removes it.
 *
 * @param flags the flags it had when it was held
 */
public record CommentHeld(String tenant, String thread, String commentId, int flags, Instant heldAt)
    implements CommentEvent {}
