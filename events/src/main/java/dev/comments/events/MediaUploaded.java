package dev.comments.events;

import java.time.Instant;

/**
 * An image was stored at the origin (the primary). {@code contentHash} is the hex SHA-256 of the
 * bytes, also the CDN's ETag; {@code contentType} is what the bytes are, not what was declared.
 */
public record MediaUploaded(
    String tenant,
    String mediaId,
    String contentHash,
    String contentType,
    long size,
    int width,
    int height,
    String uploadedBy,
    Instant uploadedAt)
    implements MediaEvent {}
