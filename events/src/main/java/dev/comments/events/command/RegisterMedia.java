package dev.comments.events.command;

import java.time.Instant;

/** Records an upload whose bytes the origin has stored and checked. */
public record RegisterMedia(
    String tenant,
    String mediaId,
    String contentHash,
    String contentType,
    long size,
    int width,
    int height,
    String uploadedBy,
    Instant at)
    implements MediaCommand {}
