package dev.comments.events;

import java.time.Instant;

/** The thread takes posts, edits and votes again. */
public record ThreadUnlocked(String tenant, String thread, String unlockedBy, Instant unlockedAt)
    implements CommentEvent {}
