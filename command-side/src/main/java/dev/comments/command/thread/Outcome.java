package dev.comments.command.thread;

import dev.comments.events.CommentStatus;

/**
 * What a thread command answers: the seq of the thread's last event once it was handled (the
 * caller's consistency token), the comment it concerned and that comment's status now ({@code null}
 * both for thread-wide commands). A retry the thread already applied under the same idempotency key
 * gets the first answer again, with the comment's status as it is now.
 */
public record Outcome(long seq, String commentId, CommentStatus status) {}
