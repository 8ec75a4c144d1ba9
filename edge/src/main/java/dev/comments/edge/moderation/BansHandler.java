package dev.comments.edge.moderation;

import dev.comments.command.CommentCommands;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonBodyReader;
import dev.comments.edge.http.JsonFields;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.session.Session;
import dev.comments.events.TenantStream;
import dev.comments.query.BannedUsers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Bans ({@code POST …/bans} {@code {"userId", "duration", "reason"}}, {@code DELETE
 * …/bans/{userId}}, and {@code GET …/bans} to list them): a command to the primary and an event in
 * the log naming the moderator; every node refuses a banned user's writes from its own projection
 * ({@link #refuseBanned}).
 */
public final class BansHandler {
  /** The longest ban with an end; longer is for good ({@code duration} absent or null). */
  static final Duration MAX_DURATION = Duration.ofDays(3_650);

  private static final List<String> FIELDS = List.of("userId", "duration", "reason");

  private BansHandler() {}

  /** The ban a body asks for; checked alike on a replica and on the primary. */
  public record BanRequest(String userId, Duration duration, String reason) {}

  /**
   * @throws ApiException {@code 400 invalid_user_id}, {@code 400 invalid_duration}, and the body's
   *     own codes
   */
  public static BanRequest request(JsonBodyReader bodies, HttpServerExchange exchange) {
    JsonFields fields = JsonFields.of(bodies.readObject(exchange), FIELDS);
    String userId = userId(fields.requiredString("userId"));
    String durationText = fields.optionalString("duration");
    Duration duration = null;
    if (durationText != null) {
      try {
        duration = Duration.parse(durationText);
      } catch (DateTimeParseException e) {
        duration = null;
      }
      if (duration == null
          || duration.isNegative()
          || duration.isZero()
          || duration.compareTo(MAX_DURATION) > 0) {
        throw ApiException.badRequest(
            "invalid_duration",
            "field 'duration' must be an ISO-8601 duration from PT1S to P3650D (e.g. PT24H, P7D),"
                + " or null for good");
      }
    }
    return new BanRequest(userId, duration, fields.optionalString("reason"));
  }

  private record Banned(String userId, Instant until) {}

  /** {@code POST …/bans}, on the primary. */
  public static HttpHandler ban(CommentCommands commands, JsonBodyReader bodies, Clock clock) {
    return exchange -> {
      BanRequest request = request(bodies, exchange);
      Instant until = request.duration() == null ? null : clock.instant().plus(request.duration());
      Actor actor = Actor.of(exchange);
      commands.ban(actor.tenant(), request.userId(), actor.id(), reason(request.reason()), until);
      JsonResponses.send(exchange, 200, new Banned(request.userId(), until));
    };
  }

  private record Listed(List<Banned> bans) {}

  /**
   * {@code GET …/bans}: the tenant's bans in force, by user id, from this node's memory (who banned
   * and why are in the audit log: {@code audit?user=}).
   */
  public static HttpHandler list(BannedUsers bans, Clock clock) {
    return exchange -> {
      List<Banned> listed =
          bans.bansOf(PathParameters.tenant(exchange), clock.instant()).stream()
              .map(ban -> new Banned(ban.userId(), ban.until()))
              .toList();
      JsonResponses.send(exchange, 200, new Listed(listed));
    };
  }

  /** {@code DELETE …/bans/{userId}}, on the primary. */
  public static HttpHandler unban(CommentCommands commands) {
    return exchange -> {
      Actor actor = Actor.of(exchange);
      commands.unban(actor.tenant(), pathUserId(exchange), actor.id(), null);
      JsonResponses.noContent(exchange);
    };
  }

  /** On a replica: the body checked here, so a bad one costs no trip to the primary. */
  public static HttpHandler checked(JsonBodyReader bodies, HttpHandler forward) {
    return exchange -> {
      request(bodies, exchange);
      forward.handleRequest(exchange);
    };
  }

  /** A writer's session whose user is banned in the tenant: {@code 403 user_banned}. */
  public static HttpHandler refuseBanned(BannedUsers bans, Clock clock, HttpHandler next) {
    return exchange -> {
      Session session = Session.of(exchange);
      var ban = bans.banOf(PathParameters.tenant(exchange), session.sessionId(), clock.instant());
      if (ban.isPresent()) {
        Instant until = ban.get().until();
        throw new ApiException(
            403,
            "user_banned",
            until == null
                ? "this user is banned from this site's comments"
                : "this user is banned from this site's comments until " + until,
            Map.of());
      }
      next.handleRequest(exchange);
    };
  }

  public static String pathUserId(HttpServerExchange exchange) {
    return userId(
        exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("userId"));
  }

  private static String userId(String value) {
    if (value == null || !TenantStream.isValidKey(value)) {
      throw ApiException.badRequest(
          "invalid_user_id",
          "a user id is what a comment names as author.id: [A-Za-z0-9._~-]{1,200}");
    }
    return value;
  }

  private static String reason(String reason) {
    if (reason != null && (reason.isBlank() || reason.length() > 500)) {
      throw ApiException.badRequest("reason_invalid", "a reason must be 1 to 500 characters");
    }
    return reason == null ? null : reason.strip();
  }
}
