package dev.comments.events;

import java.time.Instant;

/** The thread stopped taking posts, edits and votes. */
public record ThreadLocked(String tenant, String thread, String lockedBy, Instant lockedAt)
    implements CommentEvent {}
