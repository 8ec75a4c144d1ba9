package dev.comments.events.command;

import java.time.Instant;

/** Lift a user's ban. */
public record UnbanUser(
    String tenant, String userId, String moderatorId, String reason, Instant at) {}
