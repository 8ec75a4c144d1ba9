package dev.comments.edge.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.PathParameters;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventJson;
import dev.comments.query.AuditEntry;
import dev.comments.query.AuditLog;
import dev.comments.query.AuditQuery;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * {@code GET /api/v1/tenants/{tenant}/audit?thread=&user=&moderator=&from=&to=}, behind the
 * moderator key: every change of the tenant in {@code [from, to)} (by default the last 24 hours, at
 * most {@link AuditQuery#MAX_RANGE}), oldest first, as NDJSON: one JSON object a line with when,
 * who, what and why. Streamed from a cursor as the store hands it out, never held whole.
 */
public final class AuditHandler implements HttpHandler {
  public static final String NDJSON = "application/x-ndjson";

  /** The range when {@code from} is not given. */
  static final Duration DEFAULT_RANGE = Duration.ofDays(1);

  private static final ObjectMapper MAPPER = EventJson.newMapper();

  private final AuditLog audit;
  private final Clock clock;

  public AuditHandler(AuditLog audit, Clock clock) {
    this.audit = Objects.requireNonNull(audit, "audit");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws IOException {
    AuditQuery query = query(exchange);
    exchange.startBlocking();
    exchange.setStatusCode(200);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, NDJSON);
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    try (OutputStream out = new BufferedOutputStream(exchange.getOutputStream(), 16 * 1024)) {
      // The audit projection is this node's own: read where it is.
      audit.stream(query, ReadPreference.NEAREST, entry -> write(out, entry));
    }
  }

  private AuditQuery query(HttpServerExchange exchange) {
    String user = HistoryParameters.id(exchange, "user");
    String moderator = HistoryParameters.id(exchange, "moderator");
    if (user != null && moderator != null) {
      throw ApiException.badRequest("invalid_parameter", "give 'user' or 'moderator', not both");
    }
    Instant to = HistoryParameters.instant(exchange, "to", "invalid_parameter");
    Instant from = HistoryParameters.instant(exchange, "from", "invalid_parameter");
    if (to == null) {
      to = from == null ? clock.instant() : min(from.plus(AuditQuery.MAX_RANGE), clock.instant());
    }
    if (from == null) {
      from = to.minus(DEFAULT_RANGE);
    }
    if (to.isBefore(from)) {
      throw ApiException.badRequest("invalid_range", "'from' must not be after 'to'");
    }
    if (Duration.between(from, to).compareTo(AuditQuery.MAX_RANGE) > 0) {
      throw ApiException.badRequest(
          "range_too_wide",
          "the range from 'from' to 'to' may span at most "
              + HistoryParameters.days(AuditQuery.MAX_RANGE)
              + "; ask for it in parts");
    }
    return new AuditQuery(
        PathParameters.tenant(exchange),
        HistoryParameters.id(exchange, "thread"),
        moderator != null ? moderator : user,
        moderator != null,
        from,
        to);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static void write(OutputStream out, AuditEntry entry) {
    ObjectNode line = MAPPER.createObjectNode();
    line.put("at", entry.at().toString());
    line.put("tenant", entry.stream().tenant());
    if (entry.stream() instanceof ThreadId thread) {
      line.put("thread", thread.thread());
    } else {
      line.put("stream", entry.stream().streamId());
    }
    line.put("seq", entry.seq());
    line.put("eventId", entry.eventId());
    ObjectNode who = line.putObject("who");
    who.put("id", entry.actor());
    who.put("kind", entry.actorKind());
    line.put("what", entry.type());
    line.put("version", entry.version());
    line.put("why", entry.reason());
    line.set("event", entry.payload());
    try {
      out.write(MAPPER.writeValueAsBytes(line));
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
