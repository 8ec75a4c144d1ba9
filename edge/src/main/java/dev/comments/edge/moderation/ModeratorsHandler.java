package dev.comments.edge.moderation;

import dev.comments.command.ModeratorRecords;
import dev.comments.command.SessionRecords;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonBodyReader;
import dev.comments.edge.http.JsonFields;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.PathParameters;
import dev.comments.events.moderation.ModeratorAppointed;
import dev.comments.query.Moderators;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A tenant's moderators ({@code …/moderators}), behind the tenant admin key. Appointing and
 * dismissing run on the primary, which answers once the record is durable and its own node knows
 * it, so the new token works (or the dismissed one is refused) on the next request there; every
 * other node follows the moderators' topic within moments. Listing is a local read on any node.
 */
public final class ModeratorsHandler {
  /** How long the primary waits for its own node to show an appointment or dismissal. */
  static final Duration SETTLE = Duration.ofSeconds(5);

  private ModeratorsHandler() {}

  /** One moderator as listed (never the token, which only its appointment answer carries). */
  public record ModeratorView(
      String moderatorId, String name, String appointedBy, Instant appointedAt) {
    static ModeratorView of(ModeratorAppointed appointed) {
      return new ModeratorView(
          appointed.moderatorId(),
          appointed.name(),
          appointed.appointedBy(),
          appointed.appointedAt());
    }
  }

  /** The answer to an appointment: the only time the token is shown. */
  public record Appointment(
      String moderatorId, String name, String token, String appointedBy, Instant appointedAt) {}

  private record Listing(List<ModeratorView> moderators) {}

  /** {@code GET …/moderators}. */
  public static HttpHandler list(Moderators moderators) {
    return exchange -> {
      List<ModeratorView> views =
          moderators.of(PathParameters.tenant(exchange)).stream().map(ModeratorView::of).toList();
      exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
      JsonResponses.send(exchange, 200, new Listing(views));
    };
  }

  /** {@code POST …/moderators} {@code {"name": …}}. */
  public static HttpHandler appoint(
      ModeratorRecords records, Moderators moderators, JsonBodyReader bodies, Clock clock) {
    ModeratorTokens tokens = new ModeratorTokens();
    return exchange -> {
      Actor actor = Actor.of(exchange);
      String name = name(JsonFields.of(bodies.readObject(exchange), List.of("name")));
      ModeratorTokens.Issued issued = tokens.issue(actor.tenant());
      ModeratorAppointed appointed =
          new ModeratorAppointed(
              actor.tenant(),
              issued.moderatorId(),
              name,
              issued.tokenHash(),
              actor.id(),
              clock.instant());
      record(() -> records.appoint(appointed));
      settle(moderators, actor.tenant(), issued.moderatorId(), true);
      exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
      JsonResponses.send(
          exchange,
          201,
          new Appointment(
              appointed.moderatorId(),
              name,
              issued.token(),
              appointed.appointedBy(),
              appointed.appointedAt()));
    };
  }

  /** {@code DELETE …/moderators/{moderatorId}}. */
  public static HttpHandler dismiss(ModeratorRecords records, Moderators moderators) {
    return exchange -> {
      String tenant = PathParameters.tenant(exchange);
      String moderatorId = moderatorId(exchange);
      if (moderators.find(tenant, moderatorId).isEmpty()) {
        throw ApiException.notFound(
            "moderator_not_found", "tenant " + tenant + " has no moderator " + moderatorId);
      }
      record(() -> records.dismiss(tenant, moderatorId));
      settle(moderators, tenant, moderatorId, false);
      JsonResponses.noContent(exchange);
    };
  }

  /** The moderator id of the path, checked before the request travels to the primary. */
  public static String moderatorId(HttpServerExchange exchange) {
    String id =
        exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("moderatorId");
    if (id == null || !ModeratorAppointed.MODERATOR_ID.matcher(id).matches()) {
      throw ApiException.badRequest(
          "invalid_path", "the moderator id in the path is not valid: [A-Za-z0-9_-]{8,64}");
    }
    return id;
  }

  private static String name(JsonFields fields) {
    String name = fields.requiredString("name").strip();
    if (name.isEmpty()
        || name.length() > ModeratorAppointed.MAX_NAME_LENGTH
        || name.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest(
          "invalid_field",
          "field 'name' must be 1 to "
              + ModeratorAppointed.MAX_NAME_LENGTH
              + " characters without control characters");
    }
    return name;
  }

  private static void record(Runnable change) {
    try {
      change.run();
    } catch (SessionRecords.Unavailable e) {
      throw unavailable();
    }
  }

  private static void settle(
      Moderators moderators, String tenant, String moderatorId, boolean appointed)
      throws InterruptedException {
    if (!moderators.await(tenant, moderatorId, appointed, SETTLE)) {
      // Durable, but not yet read back here: a retry of a dismissal is harmless.
      throw unavailable();
    }
  }

  private static ApiException unavailable() {
    return new ApiException(
        503,
        "moderators_unavailable",
        "the change could not be confirmed; retry shortly",
        Map.of("Retry-After", "1"));
  }
}
