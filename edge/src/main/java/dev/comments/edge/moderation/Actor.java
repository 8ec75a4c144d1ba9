package dev.comments.edge.moderation;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

/**
 * Who acts on a moderation route, verified for the tenant of the request: a moderator (by their id)
 * or the tenant admin. Every moderation event names {@link #id()}.
 *
 * @param id the moderator's id; {@value #ADMIN} for the tenant admin key, {@value #SHARED_KEY} for
 *     the deprecated shared moderator key
 */
public record Actor(String tenant, String id, Role role) {
  public static final String ADMIN = "admin";
  public static final String SHARED_KEY = "moderator-key";

  static final AttachmentKey<Actor> KEY = AttachmentKey.create(Actor.class);

  /** What the credential may do. */
  public enum Role {
    /** Moderates the tenant's comments, threads and users. */
    MODERATOR,
    /** Moderates, and appoints and dismisses moderators. */
    ADMIN
  }

  /** The actor {@link RequireModerator} verified; fails if the route did not require one. */
  public static Actor of(HttpServerExchange exchange) {
    Actor actor = exchange.getAttachment(KEY);
    if (actor == null) {
      throw new IllegalStateException("route does not require a moderator");
    }
    return actor;
  }
}
