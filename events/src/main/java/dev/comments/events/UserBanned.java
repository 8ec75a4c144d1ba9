package dev.comments.events;

import java.time.Instant;

/**
 * A moderator banned a user from the tenant: their writes are refused and their pending comments
 * leave the moderators' queue, until {@code until} (null: for good) or an unban.
 */
public record UserBanned(
    String tenant,
    String userId,
    String moderatorId,
    String reason,
    Instant until,
    Instant bannedAt)
    implements BanEvent {}
