package dev.comments.events.command;

import java.time.Instant;

/** A moderator takes a media item down everywhere. */
public record RemoveMedia(String tenant, String mediaId, String moderatorId, Instant at)
    implements MediaCommand {}
