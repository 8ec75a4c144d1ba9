package dev.comments.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.events.StreamId;
import java.time.Instant;

/**
 * One change, as the audit log tells it: when ({@code at}, the primary's time of the event), who
 * ({@code actor}, of {@code actorKind} user or moderator), what ({@code type} and the whole event
 * {@code payload}) and why ({@code reason}, when the event carries one).
 */
public record AuditEntry(
    String eventId,
    StreamId stream,
    long seq,
    Instant at,
    String type,
    int version,
    String actor,
    String actorKind,
    String reason,
    ObjectNode payload) {}
