package dev.comments.events;

import java.time.Instant;

/** A moderator lifted a user's ban before it ran out. */
public record UserUnbanned(
    String tenant, String userId, String moderatorId, String reason, Instant unbannedAt)
    implements BanEvent {}
