package dev.comments.events;

import java.time.Instant;

/**
 * A comment was posted, at the top of a thread ({@code parentId == null}) or as a reply.
 *
 * <p>Schema version 2 added the author's display name: version 1 carried only {@code authorId}.
 */
public record CommentPosted(
    String tenant,
    String thread,
    String commentId,
    String parentId,
    Author author,
    String text,
    Instant postedAt)
    implements CommentEvent {}
