package dev.comments.events;

import java.time.Instant;

/** The comment was removed; its place in the tree stays so that its replies keep their parent. */
public record CommentDeleted(
    String tenant, String thread, String commentId, String deletedBy, Instant deletedAt)
    implements CommentEvent {}
