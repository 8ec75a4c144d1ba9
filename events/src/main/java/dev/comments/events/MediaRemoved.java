package dev.comments.events;

import java.time.Instant;

/** A moderator removed a media item: every node purges it from its cache and answers 410. */
public record MediaRemoved(String tenant, String mediaId, String removedBy, Instant removedAt)
    implements MediaEvent {}
