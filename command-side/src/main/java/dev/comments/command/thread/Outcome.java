package dev.comments.command.thread;

/**
 * What a thread command answers: the seq of the thread's last event once it was handled (the
 * caller's consistency token) and the comment it concerned ({@code null} for thread-wide commands).
 * A retry the thread already applied under the same idempotency key gets the first answer again.
 */
public record Outcome(long seq, String commentId) {}
