package dev.comments.events.command;

import java.time.Instant;

/**
 * Asks whether a media item may be shown by a comment: it must have been uploaded in the tenant and
 * not removed. Changes nothing and logs no event; it is asked of the item before a post that names
 * it.
 */
public record AttachMedia(String tenant, String mediaId, Instant at) implements MediaCommand {}
