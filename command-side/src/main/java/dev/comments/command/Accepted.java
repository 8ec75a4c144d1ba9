package dev.comments.command;

import dev.comments.events.CommentStatus;
import dev.comments.events.ThreadId;

/**
 * A command that was applied: the thread it changed, the comment it concerned and that comment's
 * status after it ({@code null} both for thread-wide commands), and the sequence number of its last
 * event in the thread's stream, which the edge turns into a consistency token. A post held for the
 * moderators answers {@link CommentStatus#PENDING}.
 */
public record Accepted(ThreadId thread, String commentId, long seq, CommentStatus status) {}
