package dev.comments.edge.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.StrictJson;
import dev.comments.edge.moderation.ModeratorCredentials;
import dev.comments.edge.security.BearerToken;
import dev.comments.edge.session.Session;
import dev.comments.edge.session.SessionTokens;
import dev.comments.events.ThreadId;
import dev.comments.query.RevokedSessions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.HttpUpgradeListener;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.xnio.StreamConnection;

/**
 * {@code GET /live/v1/tenants/{tenant}/threads/{thread}}: a websocket that follows the thread of
 * its path, and more threads of the same tenant on request (docs/live.md). A request that is
 * refused is still upgraded and then closed with {@code 4000 + its HTTP status} (4400, 4401, 4404,
 * 4429) and a reason, since a browser never shows a script the status of a failed handshake.
 *
 * <p>A session is {@code Authorization: Bearer <token>}, or, from a browser, which cannot set
 * headers on a websocket, the subprotocol {@code bearer.<token>} offered beside {@value
 * #SUBPROTOCOL}.
 *
 * <p>{@link #moderationQueue} serves {@code GET /live/v1/tenants/{tenant}/moderation/queue} the
 * same way: a moderator's (or the tenant admin's) websocket that follows the tenant's moderation
 * queue; the credential is checked as the queue's HTTP route checks it, and again while it runs.
 */
public final class LiveWebSocket implements HttpHandler {
  public static final String SUBPROTOCOL = "comments.v1";
  private static final String BEARER_SUBPROTOCOL = "bearer.";
  private static final AttachmentKey<Opening> OPENING = AttachmentKey.create(Opening.class);

  /** What the handshake request asked for, or why it is refused. */
  private sealed interface Opening {}

  private record Accepted(ThreadId thread, OptionalLong since, String viewerId, String address)
      implements Opening {}

  private record Refused(int code, String reason) implements Opening {}

  /** A moderator's queue: {@code allowed} says whether the credential still moderates. */
  private record Watching(String tenant, BooleanSupplier allowed, String address)
      implements Opening {}

  private final LiveHub hub;
  private final Set<String> tenants;
  private final SessionTokens sessions;
  private final RevokedSessions revoked;
  private final ModeratorCredentials moderators;
  private final StrictJson frames;
  private final HttpHandler handshake;

  public LiveWebSocket(
      LiveHub hub, Set<String> tenants, SessionTokens sessions, RevokedSessions revoked) {
    this(
        hub,
        tenants,
        Objects.requireNonNull(sessions, "sessions"),
        Objects.requireNonNull(revoked, "revoked"),
        null);
  }

  /** The websocket of a tenant's moderation queue, for its moderators and admin. */
  public static LiveWebSocket moderationQueue(
      LiveHub hub, Set<String> tenants, ModeratorCredentials moderators) {
    return new LiveWebSocket(
        hub, tenants, null, null, Objects.requireNonNull(moderators, "moderators"));
  }

  private LiveWebSocket(
      LiveHub hub,
      Set<String> tenants,
      SessionTokens sessions,
      RevokedSessions revoked,
      ModeratorCredentials moderators) {
    this.hub = Objects.requireNonNull(hub, "hub");
    this.tenants = Set.copyOf(tenants);
    this.sessions = sessions;
    this.revoked = revoked;
    this.moderators = moderators;
    this.frames = new StrictJson(hub.limits().maxFrameBytes());
    HttpUpgradeListener onUpgrade = this::upgraded;
    this.handshake =
        new WebSocketProtocolHandshakeHandler(
            List.of(new Hybi13Handshake(Set.of(SUBPROTOCOL), false)),
            onUpgrade,
            exchange -> {
              throw new ApiException(
                  426,
                  "upgrade_required",
                  moderators != null
                      ? "this is a websocket"
                      : "this is a websocket; the same messages come as an event stream from"
                          + " /stream/v1/…",
                  java.util.Map.of("Upgrade", "websocket"));
            });
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    Opening opening;
    try {
      opening = open(exchange);
    } catch (ApiException e) {
      opening = new Refused(4000 + e.status(), e.code() + ": " + e.getMessage());
    }
    exchange.putAttachment(OPENING, opening);
    handshake.handleRequest(exchange);
  }

  private Opening open(HttpServerExchange exchange) {
    PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
    String tenant = match.getParameters().get("tenant");
    if (tenant == null || !ThreadId.isValidTenant(tenant) || !tenants.contains(tenant)) {
      throw ApiException.notFound("tenant_not_found", "there is no such tenant");
    }
    if (moderators != null) {
      String token = token(exchange);
      if (token == null) {
        throw ModeratorCredentials.required();
      }
      moderators.actorOf(tenant, token);
      return new Watching(
          tenant,
          () -> moderators.stillValid(tenant, token),
          LiveRequest.address(exchange.getSourceAddress()));
    }
    ThreadId thread = LiveRequest.thread(tenant, match.getParameters().get("thread"));
    var since = exchange.getQueryParameters().get("since");
    OptionalLong from = LiveRequest.since(since == null ? null : since.getFirst());
    String viewerId = null;
    String token = token(exchange);
    if (token != null) {
      Session session = sessions.verify(token, tenant);
      if (revoked.isRevoked(session.tenant(), session.sessionId())) {
        throw new ApiException(401, "session_revoked", "this session was signed out");
      }
      viewerId = session.sessionId();
    }
    return new Accepted(thread, from, viewerId, LiveRequest.address(exchange.getSourceAddress()));
  }

  private static String token(HttpServerExchange exchange) {
    switch (BearerToken.of(exchange)) {
      case BearerToken.Present(String token) -> {
        return token;
      }
      case BearerToken.Malformed(String reason) ->
          throw new ApiException(401, "session_invalid", reason);
      case BearerToken.Absent() -> {}
    }
    String offered = exchange.getRequestHeaders().getFirst(Headers.SEC_WEB_SOCKET_PROTOCOL);
    if (offered == null) {
      return null;
    }
    return Arrays.stream(offered.split(","))
        .map(String::strip)
        .filter(protocol -> protocol.startsWith(BEARER_SUBPROTOCOL))
        .map(protocol -> protocol.substring(BEARER_SUBPROTOCOL.length()))
        .findFirst()
        .orElse(null);
  }

  /**
   * The 101 is written (Undertow's handshake: the accept key, the subprotocol): from here on the
   * connection is ours, framed by {@link WebSocketOutlet}.
   */
  private void upgraded(StreamConnection connection, HttpServerExchange exchange) {
    if (Thread.currentThread() != connection.getIoThread()) {
      // The exchange may end on a worker thread; an outlet lives on its IO thread from the start.
      connection.getIoThread().execute(() -> upgraded(connection, exchange));
      return;
    }
    Opening opening = exchange.getAttachment(OPENING);
    WebSocketOutlet outlet =
        new WebSocketOutlet(
            connection,
            exchange.getConnection().getByteBufferPool(),
            hub.limits().maxFrameBytes(),
            hub.limits().idleTimeout().toNanos());
    switch (opening) {
      case Refused(int code, String reason) -> {
        hub.metrics().refused(Integer.toString(code));
        outlet.start(Frames.IGNORED);
        outlet.close(code, reason);
      }
      case Watching watching -> {
        if (!admitted(outlet, watching.address())) {
          return;
        }
        LiveConnection live = hub.connected(outlet, watching.address(), null);
        outlet.start(new Frames(live, null, connection.getWorker()));
        live.watchQueue(watching.tenant(), watching.allowed());
      }
      case Accepted accepted -> {
        if (!admitted(outlet, accepted.address())) {
          return;
        }
        LiveConnection live = hub.connected(outlet, accepted.address(), accepted.viewerId());
        outlet.start(new Frames(live, accepted.thread().tenant(), connection.getWorker()));
        live.followOn(connection.getWorker(), accepted.thread(), accepted.since());
      }
    }
  }

  private boolean admitted(WebSocketOutlet outlet, String address) {
    if (hub.admit(address)) {
      return true;
    }
    outlet.start(Frames.IGNORED);
    outlet.close(
        4429,
        "too_many_connections: "
            + hub.limits().connectionsPerAddress()
            + " live connections from this address");
    return false;
  }

  /**
   * What a client may send: {@code subscribe} and {@code unsubscribe}, as small JSON objects; on a
   * moderation queue ({@code tenant} null), nothing.
   */
  private final class Frames implements WebSocketOutlet.Events {
    /** A refused connection's: it is closing, and what the client says no longer matters. */
    static final WebSocketOutlet.Events IGNORED =
        new WebSocketOutlet.Events() {
          @Override
          public void text(byte[] utf8) {}

          @Override
          public void closed() {}
        };

    private final LiveConnection live;
    private final String tenant;
    private final Executor worker;

    Frames(LiveConnection live, String tenant, Executor worker) {
      this.live = live;
      this.tenant = tenant;
      this.worker = worker;
    }

    @Override
    public void text(byte[] utf8) {
      if (tenant == null) {
        live.close(1007, "the moderation queue takes no messages");
        return;
      }
      ObjectNode frame;
      try {
        frame = frames.parseObject(utf8);
      } catch (ApiException e) {
        live.close(1007, "malformed message: " + e.getMessage());
        return;
      }
      JsonNode type = frame.get("type");
      JsonNode thread = frame.get("thread");
      if (type == null || !type.isTextual() || thread == null || !thread.isTextual()) {
        live.close(1007, "a message needs a string 'type' and a string 'thread'");
        return;
      }
      ThreadId threadId;
      try {
        threadId = LiveRequest.thread(tenant, thread.textValue());
      } catch (ApiException e) {
        live.error(null, e.code(), e.getMessage());
        return;
      }
      switch (type.textValue()) {
        case "subscribe" -> subscribe(threadId, frame.get("since"));
        case "unsubscribe" -> live.unfollow(threadId);
        default ->
            live.close(1007, "unknown message type; a client sends subscribe or unsubscribe");
      }
    }

    private void subscribe(ThreadId thread, JsonNode since) {
      if (live.follows(thread)) {
        return;
      }
      if (live.followedCount() >= hub.limits().subscriptionsPerConnection()) {
        hub.metrics().refused("subscriptions-per-connection");
        live.close(
            4429,
            "too_many_subscriptions: at most "
                + hub.limits().subscriptionsPerConnection()
                + " threads per connection");
        return;
      }
      OptionalLong from;
      try {
        from =
            LiveRequest.since(
                since == null || since.isNull()
                    ? null
                    : since.isIntegralNumber() ? since.asText() : "not a position");
      } catch (ApiException e) {
        live.error(thread, e.code(), e.getMessage());
        return;
      }
      live.followOn(worker, thread, from);
    }

    @Override
    public void closed() {
      live.closed();
    }
  }
}
