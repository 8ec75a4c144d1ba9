package dev.comments.events.command;

import dev.comments.events.ModerationAction;
import dev.comments.events.ThreadId;
import java.time.Instant;

/** A moderator's decision on one comment, with an optional reason. */
public record ModerateComment(
    ThreadId threadId,
    String commentId,
    ModerationAction action,
    String moderatorId,
    String reason,
    Instant at)
    implements ThreadCommand {}
