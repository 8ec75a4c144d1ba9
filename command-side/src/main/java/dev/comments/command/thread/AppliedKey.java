package dev.comments.command.thread;

import java.time.Instant;

/**
 * What the thread remembers of a command it applied under an idempotency key: the request it was
 * (its hash), its answer and when it was applied (the command's time).
 */
record AppliedKey(String requestHash, long seq, String commentId, Instant at) {}
