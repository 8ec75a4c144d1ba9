package dev.comments.command;

import dev.comments.events.ThreadId;

/**
 * A command that was applied: the thread it changed, the comment it concerned ({@code null} for
 * thread-wide commands) and the sequence number of its last event in the thread's stream, which the
 * edge turns into a consistency token.
 */
public record Accepted(ThreadId thread, String commentId, long seq) {}
