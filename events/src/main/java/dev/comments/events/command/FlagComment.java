package dev.comments.events.command;

import dev.comments.events.ThreadId;
import java.time.Instant;

/** Report a comment to the moderators; once per reader and comment. */
public record FlagComment(
    ThreadId threadId, String commentId, String flaggerId, String reason, Instant at)
    implements ThreadCommand {}
