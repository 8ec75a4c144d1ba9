package dev.comments.events.command;

import java.time.Instant;

/** Ban a user from a tenant until {@code until} (null: for good). */
public record BanUser(
    String tenant, String userId, String moderatorId, String reason, Instant until, Instant at) {}
