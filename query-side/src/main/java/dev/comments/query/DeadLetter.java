package dev.comments.query;

import java.time.Instant;

/**
 * An event a projection could not apply, parked with the error: {@code projection} ({@code *} for a
 * record no projection could decode), its {@code position} ({@code tenant/thread#seq}, or {@code
 * topic-partition@offset}), the log record as text, and how often it failed.
 */
public record DeadLetter(
    String id,
    String projection,
    String position,
    String record,
    String error,
    int attempts,
    Instant firstFailedAt,
    Instant lastFailedAt) {}
