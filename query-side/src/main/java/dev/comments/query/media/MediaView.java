package dev.comments.query.media;

/**
 * What a node knows of one media item: enough to serve it (type, size, hash for the ETag) and
 * whether moderation removed it. {@code seq} is the last event of its stream applied.
 */
public record MediaView(
    String tenant,
    String mediaId,
    String contentHash,
    String contentType,
    long size,
    int width,
    int height,
    boolean removed,
    long seq) {}
