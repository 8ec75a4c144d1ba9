package dev.comments.edge.block;

import dev.comments.command.SessionRecords;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonBodyReader;
import dev.comments.edge.http.JsonFields;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.session.Session;
import dev.comments.events.ThreadId;
import dev.comments.query.BlockedUsers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A reader's blocks ({@code …/blocks}): the users whose comments and votes it no longer wants.
 * Block and unblock are sets, so repeating one changes nothing and needs no idempotency key. They
 * run on the primary, which makes them durable before answering; listing them is a local read on
 * any node. Every answer is the reader's whole list.
 */
public final class BlocksHandler {
  private BlocksHandler() {}

  /** {@code GET …/blocks}. */
  public static HttpHandler list(BlockedUsers blocked) {
    return exchange -> {
      Session session = Session.of(exchange);
      answer(exchange, blocked.blockedBy(session.tenant(), session.sessionId()));
    };
  }

  /** {@code POST …/blocks} {@code {"userId": …}}. */
  public static HttpHandler block(
      SessionRecords records, BlockedUsers blocked, JsonBodyReader bodies) {
    return exchange -> {
      Session session = Session.of(exchange);
      JsonFields fields = JsonFields.of(bodies.readObject(exchange), List.of("userId"));
      String userId = userId(fields.requiredString("userId"));
      if (userId.equals(session.sessionId())) {
        throw ApiException.badRequest("cannot_block_self", "a reader cannot block itself");
      }
      Set<String> now = new TreeSet<>(blocked.blockedBy(session.tenant(), session.sessionId()));
      if (!now.contains(userId) && now.size() >= MAX_BLOCKS) {
        throw new ApiException(
            409,
            "too_many_blocks",
            "a reader may block at most " + MAX_BLOCKS + " users; unblock some first");
      }
      record(
          () -> records.block(session.tenant(), session.sessionId(), userId, session.expiresAt()));
      now.add(userId);
      answer(exchange, now);
    };
  }

  /** {@code DELETE …/blocks/{userId}}. */
  public static HttpHandler unblock(SessionRecords records, BlockedUsers blocked) {
    return exchange -> {
      Session session = Session.of(exchange);
      String userId =
          userId(
              exchange
                  .getAttachment(PathTemplateMatch.ATTACHMENT_KEY)
                  .getParameters()
                  .get("userId"));
      record(() -> records.unblock(session.tenant(), session.sessionId(), userId));
      Set<String> now = new TreeSet<>(blocked.blockedBy(session.tenant(), session.sessionId()));
      now.remove(userId);
      answer(exchange, now);
    };
  }

  /** What the query side keeps per reader, at most: more is refused here. */
  static final int MAX_BLOCKS = BlockedUsers.MAX_PER_SESSION;

  private static String userId(String value) {
    if (!ThreadId.isValidId(value)) {
      throw ApiException.badRequest(
          "invalid_user_id",
          "a user id is what a comment names as author.id: [A-Za-z0-9._~:-]{1,200}");
    }
    return value;
  }

  private static void record(Runnable change) {
    try {
      change.run();
    } catch (SessionRecords.Unavailable e) {
      throw new ApiException(
          503,
          "block_unavailable",
          "the change could not be recorded; retry shortly",
          Map.of("Retry-After", "1"));
    }
  }

  private record Blocks(List<String> userIds) {}

  private static void answer(HttpServerExchange exchange, Set<String> userIds) {
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    JsonResponses.send(exchange, 200, new Blocks(List.copyOf(new TreeSet<>(userIds))));
  }
}
