package dev.comments.edge;

import dev.comments.command.CommentCommands;
import dev.comments.command.IdempotencyKeys;
import dev.comments.command.MediaCommands;
import dev.comments.edge.abuse.AbuseGuard;
import dev.comments.edge.abuse.AbuseGuard.Action;
import dev.comments.edge.abuse.RateLimits;
import dev.comments.edge.audit.AsOfHandler;
import dev.comments.edge.audit.AuditHandler;
import dev.comments.edge.audit.CommentHistoryHandler;
import dev.comments.edge.audit.ProjectionAdminHandlers;
import dev.comments.edge.audit.UndoHandler;
import dev.comments.edge.block.BlocksHandler;
import dev.comments.edge.cdn.Cdn;
import dev.comments.edge.cdn.DiskCache;
import dev.comments.edge.cdn.LocalOrigin;
import dev.comments.edge.cdn.Origin;
import dev.comments.edge.cdn.OriginHandler;
import dev.comments.edge.comment.CommentBodies;
import dev.comments.edge.comment.CommentBodies.Kind;
import dev.comments.edge.comment.CommentWriteHandler;
import dev.comments.edge.consistency.ConsistencyTokens;
import dev.comments.edge.consistency.WriteAcknowledgement;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.Blocking;
import dev.comments.edge.http.ErrorHandler;
import dev.comments.edge.http.ErrorMapping;
import dev.comments.edge.http.JsonBodyReader;
import dev.comments.edge.http.JsonCompression;
import dev.comments.edge.http.LingeringClose;
import dev.comments.edge.http.NodeHeaders;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.http.ReceiveBody;
import dev.comments.edge.http.RequestMetrics;
import dev.comments.edge.http.RequestTarget;
import dev.comments.edge.http.Router;
import dev.comments.edge.idempotency.IdempotentCommand;
import dev.comments.edge.live.LiveHub;
import dev.comments.edge.live.LiveStream;
import dev.comments.edge.live.LiveWebSocket;
import dev.comments.edge.media.ForwardUpload;
import dev.comments.edge.media.RemoveMediaHandler;
import dev.comments.edge.media.UploadMediaHandler;
import dev.comments.edge.mesh.Heartbeats;
import dev.comments.edge.mesh.HttpHeartbeats;
import dev.comments.edge.mesh.MeshHandlers;
import dev.comments.edge.moderation.BansHandler;
import dev.comments.edge.moderation.ModerateCommentHandler;
import dev.comments.edge.moderation.ModeratePage;
import dev.comments.edge.moderation.ModeratorCredentials;
import dev.comments.edge.moderation.ModeratorsHandler;
import dev.comments.edge.moderation.QueueHandler;
import dev.comments.edge.moderation.RequireModerator;
import dev.comments.edge.ops.LiveHandler;
import dev.comments.edge.ops.PrometheusHandler;
import dev.comments.edge.ops.ReadyHandler;
import dev.comments.edge.primary.ClusterKey;
import dev.comments.edge.primary.ForwardCommand;
import dev.comments.edge.primary.PrimaryLink;
import dev.comments.edge.primary.ThreadPositionHandler;
import dev.comments.edge.session.CreateSessionHandler;
import dev.comments.edge.session.RequireSession;
import dev.comments.edge.session.SessionTokens;
import dev.comments.edge.session.SignOutHandler;
import dev.comments.edge.thread.ListCommentsHandler;
import dev.comments.edge.thread.ListCommentsHandler.Listing;
import dev.comments.edge.thread.ThreadLockHandler;
import dev.comments.edge.tls.NodeTls;
import dev.comments.edge.widget.AllowedOrigins;
import dev.comments.edge.widget.CrossOrigin;
import dev.comments.edge.widget.WidgetAssets;
import dev.comments.query.BannedUsers;
import dev.comments.query.BlockedUsers;
import dev.comments.query.MediaCatalog;
import dev.comments.query.ModerationQueue;
import dev.comments.query.Moderators;
import dev.comments.query.ProjectionStatus;
import dev.comments.query.RevokedSessions;
import dev.comments.query.ThreadQueries;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.RequestLimit;
import io.undertow.server.handlers.RequestLimitingHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The v1 routing table and the chain around each route, in one place. Before any route, the request
 * target must be a plain path ({@link RequestTarget}). Read a route's chain from the outside in:
 * path ids checked, then who may call, then the body received on the IO thread, then a place among
 * the bounded number of running API requests, then the handler on a worker thread. On the primary
 * every command (writer and moderator routes) runs inside {@link IdempotentCommand}; on a replica
 * it is forwarded to the primary after the caller was checked. Browser pages of other origins reach
 * the tenant routes only through {@link CrossOrigin}, for the origins each tenant allows.
 */
final class EdgeRoutes {
  static final String SESSIONS = "/api/v1/tenants/{tenant}/sessions";
  static final String CURRENT_SESSION = "/api/v1/tenants/{tenant}/sessions/current";
  static final String THREAD_COMMENTS = "/api/v1/tenants/{tenant}/threads/{thread}/comments";
  static final String COMMENT_REPLIES =
      "/api/v1/tenants/{tenant}/threads/{thread}/comments/{commentId}/replies";
  static final String THREAD_LOCK = "/api/v1/tenants/{tenant}/threads/{thread}/lock";
  static final String THREAD_UNLOCK = "/api/v1/tenants/{tenant}/threads/{thread}/unlock";
  static final String COMMENT = "/api/v1/tenants/{tenant}/comments/{commentId}";
  static final String COMMENT_VOTE = "/api/v1/tenants/{tenant}/comments/{commentId}/vote";
  static final String COMMENT_FLAG = "/api/v1/tenants/{tenant}/comments/{commentId}/flag";
  static final String BLOCKS = "/api/v1/tenants/{tenant}/blocks";
  static final String BLOCK = "/api/v1/tenants/{tenant}/blocks/{userId}";
  // Moderation
  static final String MODERATORS = "/api/v1/tenants/{tenant}/moderators";
  static final String MODERATOR = "/api/v1/tenants/{tenant}/moderators/{moderatorId}";
  static final String BANS = "/api/v1/tenants/{tenant}/bans";
  static final String BAN = "/api/v1/tenants/{tenant}/bans/{userId}";
  static final String MODERATION_QUEUE = "/api/v1/tenants/{tenant}/moderation/queue";
  static final String COMMENT_MODERATION =
      "/api/v1/tenants/{tenant}/comments/{commentId}/moderation";
  static final String LIVE_THREAD = "/live/v1/tenants/{tenant}/threads/{thread}";
  static final String STREAM_THREAD = "/stream/v1/tenants/{tenant}/threads/{thread}";
  static final String LIVE_MODERATION_QUEUE = "/live/v1/tenants/{tenant}/moderation/queue";
  static final String WIDGET_FILE = WidgetAssets.ROUTE;
  static final String DEMO_PAGE = "/";
  static final String MEDIA = "/api/v1/tenants/{tenant}/media";
  static final String MEDIA_ITEM = "/api/v1/tenants/{tenant}/media/{mediaId}";

  /**
   * How much of a refused upload's body is read and dropped after the answer, and for how long at
   * most, before its connection is closed: within Undertow's drain allowance (EdgeServer).
   */
  static final long UPLOAD_LINGER_BYTES = 512 * 1024;

  static final Duration UPLOAD_LINGER = Duration.ofSeconds(5);
  static final String CDN_FILE = Cdn.ROUTE;
  // The audit log and replays (moderator key), and the projections' administration (cluster key).
  static final String AUDIT = "/api/v1/tenants/{tenant}/audit";
  static final String COMMENT_HISTORY =
      "/api/v1/tenants/{tenant}/threads/{thread}/comments/{commentId}/history";
  static final String AUDIT_UNDO = "/api/v1/tenants/{tenant}/threads/{thread}/audit/{seq}/undo";
  static final String ADMIN_PROJECTIONS = ProjectionAdminHandlers.PROJECTIONS;
  static final String ADMIN_PROJECTION = ProjectionAdminHandlers.PROJECTION;
  static final String ADMIN_REBUILD = ProjectionAdminHandlers.REBUILD;
  static final String ADMIN_CHECKSUM = ProjectionAdminHandlers.CHECKSUM;
  static final String ADMIN_DEAD_LETTERS = ProjectionAdminHandlers.DEAD_LETTERS;
  static final String ADMIN_RETRY_DEAD_LETTERS = ProjectionAdminHandlers.RETRY_DEAD_LETTERS;
  // The moderators' page
  static final String MODERATE_PAGE = ModeratePage.PAGE;
  static final String MODERATE_FILE = ModeratePage.FILE;

  /** Scrapes running at once, and waiting: a few scrapers, never more than two workers. */
  static final int METRICS_RUNNING = 2;

  static final int METRICS_QUEUED = 2;

  /**
   * Mesh calls running at once, and waiting: a heartbeat must not wait behind API requests (a node
   * that misses heartbeats is taken out of DNS), nor may a flood of them take the API's workers.
   */
  static final int MESH_RUNNING = 4;

  static final int MESH_QUEUED = 64;

  private final EdgeSettings settings;
  private final NodeRole role;
  private final Clock clock;
  private final SessionTokens sessions;
  private final RevokedSessions revoked;
  private final Moderators moderators;
  private final ModerationQueue moderationQueue;
  private final BannedUsers bans;
  private final RequestLimit apiLimit;
  private final RequestLimit metricsLimit;
  private final RequestLimit meshLimit;
  private final AbuseGuard abuse;
  private final Optional<NodeTls> tls;

  private EdgeRoutes(
      EdgeSettings settings,
      NodeRole role,
      RevokedSessions revoked,
      Optional<NodeTls> tls,
      Moderators moderators,
      ModerationQueue moderationQueue,
      BannedUsers bans,
      PrometheusMeterRegistry meters,
      Clock clock) {
    this.bans = bans;
    this.settings = settings;
    this.tls = tls;
    this.moderators = moderators;
    this.moderationQueue = moderationQueue;
    this.role = role;
    this.clock = clock;
    this.sessions = new SessionTokens(settings.keys().sessions(), settings.sessionTtl(), clock);
    this.revoked = revoked;
    Map<String, RateLimits> limits = new HashMap<>();
    settings
        .tenants()
        .forEach((tenant, tenantSettings) -> limits.put(tenant, tenantSettings.limits()));
    this.abuse =
        new AbuseGuard(
            limits, settings.keys().cluster(), clock, meters, AbuseGuard.DEFAULT_MAX_ENTRIES);
    this.apiLimit =
        overloadedBeyond(
            settings.workerThreads(),
            settings.workerThreads() * EdgeSettings.QUEUED_REQUESTS_PER_WORKER);
    this.metricsLimit = overloadedBeyond(METRICS_RUNNING, METRICS_QUEUED);
    this.meshLimit = overloadedBeyond(MESH_RUNNING, MESH_QUEUED);
  }

  private static RequestLimit overloadedBeyond(int running, int queued) {
    RequestLimit limit = new RequestLimit(running, queued);
    limit.setFailureHandler(
        exchange ->
            ErrorMapping.send(
                exchange,
                new ApiException(
                    503,
                    "overloaded",
                    "the server is at capacity; retry shortly",
                    Map.of("Retry-After", "1"))));
    return limit;
  }

  static HttpHandler build(
      EdgeSettings settings,
      NodeRole role,
      ReadSide readSide,
      LiveHub live,
      Optional<Heartbeats> mesh,
      Optional<NodeTls> tls,
      PrometheusMeterRegistry meters,
      Clock clock) {
    return new EdgeRoutes(
            settings,
            role,
            readSide.revoked(),
            tls,
            readSide.moderators(),
            readSide.moderationQueue(),
            readSide.bans(),
            meters,
            clock)
        .table(
            readSide.queries(),
            readSide.status(),
            readSide.blocked(),
            readSide.history(),
            live,
            mesh,
            meters,
            readSide.media());
  }

  private HttpHandler table(
      ThreadQueries queries,
      ProjectionStatus status,
      BlockedUsers blocked,
      History history,
      LiveHub live,
      Optional<Heartbeats> mesh,
      PrometheusMeterRegistry meters,
      MediaCatalog media) {
    JsonBodyReader bodies = new JsonBodyReader(settings.maxBodyBytes());
    ConsistencyTokens consistency = new ConsistencyTokens(settings.keys().consistency(), clock);
    ListCommentsHandler.PageCache pages = new ListCommentsHandler.PageCache(meters);
    WidgetAssets widget = WidgetAssets.load();
    ModeratePage moderatePage = ModeratePage.load();

    Router.Builder router =
        Router.builder()
            .route("GET", "/health/live", new LiveHandler())
            .route("GET", "/health/ready", new ReadyHandler(status))
            .route("GET", "/metrics", scrape(new PrometheusHandler(meters)))
            // Files in memory, answered on the IO thread; pages anywhere embed the widget.
            .route("GET", WIDGET_FILE, widget.files())
            .route("GET", DEMO_PAGE, widget.demoPage())
            // The moderators' page: files in memory; it calls the API of its own origin.
            .route("GET", MODERATE_PAGE, moderatePage.handler())
            .route("GET", MODERATE_FILE, moderatePage.handler())
            .route(
                "POST",
                SESSIONS,
                tenantPath(
                    abuse.rateLimited(
                        Action.CREATE_SESSION,
                        limited(new CreateSessionHandler(sessions, bodies)))))
            // Live readers follow this node's own projection, on the primary as on a replica.
            .route(
                "GET",
                LIVE_THREAD,
                new LiveWebSocket(live, settings.tenants().keySet(), sessions, revoked))
            .route(
                "GET",
                STREAM_THREAD,
                tenantPath(RequireSession.optional(sessions, revoked, new LiveStream(live))))
            // A reader's blocks are read where the reader is; changing them is a command.
            .route("GET", BLOCKS, session(BlocksHandler.list(blocked)))
            // Moderation: a tenant's moderators are listed from this node's memory.
            .route("GET", MODERATORS, admin(ModeratorsHandler.list(moderators)))
            .route(
                "GET",
                MODERATION_QUEUE,
                tenantPath(
                    RequireModerator.moderator(
                        settings.tenants(),
                        moderators,
                        limited(new QueueHandler(moderationQueue)))))
            .route(
                "GET",
                BANS,
                tenantPath(
                    RequireModerator.moderator(
                        settings.tenants(), moderators, limited(BansHandler.list(bans, clock)))))
            // Moderators follow the queue as this node's projection changes it.
            .route(
                "GET",
                LIVE_MODERATION_QUEUE,
                LiveWebSocket.moderationQueue(
                    live,
                    settings.tenants().keySet(),
                    new ModeratorCredentials(settings.tenants(), moderators)));
    auditRoutes(router, history);
    // The node mesh, on every node: heartbeats between the nodes, the operator's view and drain.
    mesh.map(MeshHandlers::new)
        .ifPresent(
            handlers ->
                router
                    .route("POST", HttpHeartbeats.PATH, internal(handlers.heartbeat()))
                    .route("GET", MeshHandlers.VIEW_PATH, internal(handlers.view()))
                    .route("POST", MeshHandlers.DRAIN_PATH, internal(handlers.drain(true)))
                    .route("POST", MeshHandlers.UNDRAIN_PATH, internal(handlers.drain(false)))
                    // Readers across the deployment: each peer's share of its own.
                    .route("POST", HttpHeartbeats.PRESENCE_PATH, internal(handlers.presence())));
    switch (role) {
      case NodeRole.Primary primary -> {
        Function<Listing, HttpHandler> read =
            listing ->
                reader(
                    ListCommentsHandler.onPrimary(
                        listing,
                        pages,
                        queries,
                        consistency,
                        settings.consistencyWait(),
                        primary.positions()));
        router
            .route("GET", THREAD_COMMENTS, asOf(read.apply(Listing.COMMENTS), history))
            .route("GET", COMMENT_REPLIES, read.apply(Listing.REPLIES));
        commandsRunHere(router, primary, bodies, new WriteAcknowledgement(consistency));
        router.route(
            "POST",
            AUDIT_UNDO,
            moderator(
                primary.idempotencyKeys(),
                new UndoHandler(
                    history.audit(),
                    queries,
                    settings.consistencyWait(),
                    primary.commands(),
                    new WriteAcknowledgement(consistency))));

        // Moderation: each decision is a command, under the moderator's own idempotency keys.
        router
            .route(
                "POST",
                COMMENT_MODERATION,
                moderator(
                    primary.idempotencyKeys(),
                    new ModerateCommentHandler(
                        primary.commands(), bodies, new WriteAcknowledgement(consistency))))
            .route(
                "POST",
                BANS,
                moderator(
                    primary.idempotencyKeys(), BansHandler.ban(primary.commands(), bodies, clock)))
            .route(
                "DELETE",
                BAN,
                moderator(primary.idempotencyKeys(), BansHandler.unban(primary.commands())));
        router.route("DELETE", CURRENT_SESSION, session(new SignOutHandler(primary.revocations())));
        router
            .route(
                "POST",
                BLOCKS,
                session(BlocksHandler.block(primary.revocations(), blocked, bodies)))
            .route("DELETE", BLOCK, session(BlocksHandler.unblock(primary.revocations(), blocked)));
        // Moderation
        router
            .route(
                "POST",
                MODERATORS,
                admin(ModeratorsHandler.appoint(primary.moderators(), moderators, bodies, clock)))
            .route(
                "DELETE",
                MODERATOR,
                admin(ModeratorsHandler.dismiss(primary.moderators(), moderators)));
        router.route(
            "GET",
            PrimaryLink.POSITION_PATH,
            tenantPath(
                new ClusterKey(
                    settings.keys().cluster(),
                    clock,
                    limited(new ThreadPositionHandler(primary.positions())))));
        primary.media().ifPresent(commands -> mediaOnPrimary(router, commands, media, meters));
      }
      case NodeRole.Replica replica -> {
        PrimaryLink link =
            new PrimaryLink(
                replica.primaryUrl(),
                replica.timeout(),
                settings.nodeId(),
                ClusterKey.headerOf(settings.keys().cluster()),
                tls,
                meters);
        Function<Listing, HttpHandler> read =
            listing ->
                reader(
                    ListCommentsHandler.onReplica(
                        listing,
                        pages,
                        queries,
                        consistency,
                        settings.consistencyWait(),
                        link,
                        status::stale));
        router
            .route("GET", THREAD_COMMENTS, asOf(read.apply(Listing.COMMENTS), history))
            .route("GET", COMMENT_REPLIES, read.apply(Listing.REPLIES));
        commandsGoToPrimary(router, bodies, new ForwardCommand(link));
        router.route(
            "POST",
            AUDIT_UNDO,
            tenantPath(
                RequireModerator.moderator(
                    settings.tenants(),
                    moderators,
                    limited(wellFormed(bodies, new ForwardCommand(link))))));
        router.route("DELETE", CURRENT_SESSION, session(new ForwardCommand(link)));
        router
            .route("POST", BLOCKS, session(wellFormed(bodies, new ForwardCommand(link))))
            .route("DELETE", BLOCK, session(new ForwardCommand(link)));
        mediaOnReplica(router, link, media, meters);
        // Moderation
        router
            .route("POST", MODERATORS, admin(wellFormed(bodies, new ForwardCommand(link))))
            .route("DELETE", MODERATOR, admin(checkedModeratorId(new ForwardCommand(link))))
            .route(
                "POST",
                COMMENT_MODERATION,
                tenantPath(
                    RequireModerator.moderator(
                        settings.tenants(),
                        moderators,
                        limited(ModerateCommentHandler.checked(bodies, new ForwardCommand(link))))))
            .route(
                "POST",
                BANS,
                tenantPath(
                    RequireModerator.moderator(
                        settings.tenants(),
                        moderators,
                        limited(BansHandler.checked(bodies, new ForwardCommand(link))))))
            .route(
                "DELETE",
                BAN,
                tenantPath(
                    RequireModerator.moderator(
                        settings.tenants(), moderators, limited(new ForwardCommand(link)))));
      }
    }
    return new RequestMetrics(
        meters,
        new JsonCompression(
            new NodeHeaders(
                settings.nodeId(),
                status::lag,
                status::stale,
                new ErrorHandler(
                    new RequestTarget(new CrossOrigin(allowedOrigins(), router.build()))))));
  }

  /**
   * Media on the primary: uploads stream into its store, moderators remove, the other nodes fetch
   * the bytes (behind the cluster key), and its own CDN reads the store in process.
   */
  private void mediaOnPrimary(
      Router.Builder router,
      MediaCommands commands,
      MediaCatalog catalog,
      PrometheusMeterRegistry meters) {
    router
        .route("POST", MEDIA, uploader(new UploadMediaHandler(commands, uploadRefusal())))
        .route(
            "DELETE",
            MEDIA_ITEM,
            tenantPath(
                RequireModerator.moderator(
                    settings.tenants(), moderators, limited(new RemoveMediaHandler(commands)))))
        .route(
            "GET",
            PrimaryLink.MEDIA_PATH,
            tenantPath(
                new ClusterKey(
                    settings.keys().cluster(), clock, limited(new OriginHandler(commands)))));
    cdn(router, catalog, new LocalOrigin(commands), meters);
  }

  /** Media on a replica: uploads and removals go to the primary; the CDN fills from it. */
  private void mediaOnReplica(
      Router.Builder router,
      PrimaryLink link,
      MediaCatalog catalog,
      PrometheusMeterRegistry meters) {
    router
        .route(
            "POST",
            MEDIA,
            uploader(new ForwardUpload(link, settings.cdn().maxUploadBytes(), uploadRefusal())))
        .route(
            "DELETE",
            MEDIA_ITEM,
            tenantPath(
                RequireModerator.moderator(
                    settings.tenants(), moderators, limited(new ForwardCommand(link)))));
    cdn(router, catalog, link::openMedia, meters);
  }

  /** {@code GET /cdn/v1/…}, open to all: hits answered on the IO thread, misses on their own. */
  private void cdn(
      Router.Builder router, MediaCatalog catalog, Origin origin, PrometheusMeterRegistry meters) {
    settings
        .cdn()
        .cacheDir()
        .ifPresent(
            dir ->
                router.route(
                    "GET",
                    CDN_FILE,
                    tenantPath(
                        new Cdn(
                            new DiskCache(dir, settings.cdn().cacheBytes()),
                            catalog,
                            origin,
                            meters))));
  }

  /**
   * An upload: a session, then a place among the running requests and a worker, which reads the
   * body as it streams; the body limit of this route is the upload limit, not the JSON one.
   */
  /** How an upload refused mid-body is closed, so that a client still sending sees the answer. */
  private static LingeringClose uploadRefusal() {
    return new LingeringClose(UPLOAD_LINGER_BYTES, UPLOAD_LINGER);
  }

  private HttpHandler uploader(HttpHandler upload) {
    HttpHandler running = new RequestLimitingHandler(apiLimit, new Blocking(upload));
    return tenantPath(
        RequireSession.required(
            sessions,
            revoked,
            exchange -> {
              // No cap of Undertow's on a declared length: ours counts the body and stops reading
              // at the limit (413, lingering close). A chunked body keeps the server-wide cap
              // (EdgeServer), which Undertow fixes when it parses the head: it admits an upload.
              exchange.setMaxEntitySize(Long.MAX_VALUE);
              running.handleRequest(exchange);
            }));
  }

  /**
   * The audit log and replays, read from this node's own audit projection on every node, and the
   * operator's routes of its projections. Undo is a command: it is routed with the others.
   */
  private void auditRoutes(Router.Builder router, History history) {
    ProjectionAdminHandlers admin = new ProjectionAdminHandlers(history.projections());
    router
        .route("GET", AUDIT, moderatorRead(new AuditHandler(history.audit(), clock)))
        .route("GET", COMMENT_HISTORY, moderatorRead(new CommentHistoryHandler(history.audit())))
        .route("GET", ADMIN_PROJECTIONS, operator(admin.list()))
        .route("GET", ADMIN_PROJECTION, operator(admin.info()))
        .route("POST", ADMIN_REBUILD, operator(admin.rebuild()))
        .route("GET", ADMIN_CHECKSUM, operator(admin.checksum()))
        .route("GET", ADMIN_DEAD_LETTERS, operator(admin.deadLetters()))
        .route("POST", ADMIN_RETRY_DEAD_LETTERS, operator(admin.retryDeadLetters()));
  }

  /** A thread page, or with {@code asOf} the thread as it was then (moderators only). */
  private HttpHandler asOf(HttpHandler current, History history) {
    return new AsOfHandler(current, this::moderatorRead, history.audit(), clock);
  }

  /** A read only the tenant's moderators may make. */
  private HttpHandler moderatorRead(HttpHandler handler) {
    return tenantPath(RequireModerator.moderator(settings.tenants(), moderators, limited(handler)));
  }

  /**
   * An operator's route: the cluster key (the deployment's own, which the `comments` tool reads
   * from the node's configuration), then a place among the API's running requests.
   */
  private HttpHandler operator(HttpHandler handler) {
    return new ClusterKey(settings.keys().cluster(), clock, limited(handler));
  }

  private Map<String, AllowedOrigins> allowedOrigins() {
    Map<String, AllowedOrigins> origins = new HashMap<>();
    settings
        .tenants()
        .forEach((tenant, tenantSettings) -> origins.put(tenant, tenantSettings.allowedOrigins()));
    return origins;
  }

  /** The command routes of the primary: each runs here, inside {@link IdempotentCommand}. */
  private void commandsRunHere(
      Router.Builder router,
      NodeRole.Primary primary,
      JsonBodyReader bodies,
      WriteAcknowledgement ack) {
    CommentCommands commands = primary.commands();
    IdempotencyKeys keys = primary.idempotencyKeys();
    router
        .route(
            "POST",
            THREAD_COMMENTS,
            writer(
                Action.POST,
                IdempotentCommand.asSession(keys, CommentWriteHandler.post(commands, bodies, ack))))
        .route("POST", THREAD_LOCK, moderator(keys, ThreadLockHandler.lock(commands, ack)))
        .route("POST", THREAD_UNLOCK, moderator(keys, ThreadLockHandler.unlock(commands, ack)))
        .route(
            "PATCH",
            COMMENT,
            writer(
                Action.EDIT,
                IdempotentCommand.asSession(keys, CommentWriteHandler.edit(commands, bodies, ack))))
        .route(
            "DELETE",
            COMMENT,
            session(IdempotentCommand.asSession(keys, CommentWriteHandler.delete(commands, ack))))
        .route(
            "POST",
            COMMENT_VOTE,
            writer(
                Action.VOTE,
                IdempotentCommand.asSession(keys, CommentWriteHandler.vote(commands, bodies, ack))))
        .route(
            "POST",
            COMMENT_FLAG,
            writer(
                Action.FLAG,
                IdempotentCommand.asSession(
                    keys, CommentWriteHandler.flag(commands, bodies, ack))));
  }

  /**
   * The same routes on a replica: who may call is checked here (a bad token costs no trip across
   * the ocean), then the command travels to the primary.
   */
  private void commandsGoToPrimary(
      Router.Builder router, JsonBodyReader bodies, HttpHandler forward) {
    HttpHandler anyBody = wellFormed(bodies, forward);
    HttpHandler asModerator =
        tenantPath(RequireModerator.moderator(settings.tenants(), moderators, limited(anyBody)));
    router
        .route("POST", THREAD_COMMENTS, writer(Action.POST, bound(Kind.POST, bodies, forward)))
        .route("POST", THREAD_LOCK, asModerator)
        .route("POST", THREAD_UNLOCK, asModerator)
        .route("PATCH", COMMENT, writer(Action.EDIT, bound(Kind.EDIT, bodies, forward)))
        .route("DELETE", COMMENT, session(anyBody))
        .route("POST", COMMENT_VOTE, writer(Action.VOTE, bound(Kind.VOTE, bodies, forward)))
        .route("POST", COMMENT_FLAG, writer(Action.FLAG, bound(Kind.FLAG, bodies, forward)));
  }

  /** The body bound as the primary will bind it, refused here if it does not fit. */
  private static HttpHandler bound(Kind kind, JsonBodyReader bodies, HttpHandler forward) {
    return CommentBodies.checked(kind, bodies, forward);
  }

  /**
   * On a replica, a body that is not a JSON object is refused here, as the primary would refuse it:
   * a malformed request costs no trip across the ocean. Its fields are the primary's to check.
   */
  private static HttpHandler wellFormed(JsonBodyReader bodies, HttpHandler forward) {
    return exchange -> {
      bodies.readOptionalObject(exchange);
      forward.handleRequest(exchange);
    };
  }

  /** A page read: answered on the IO thread when its bytes are in memory, else by a worker. */
  private HttpHandler reader(ListCommentsHandler handler) {
    return tenantPath(
        RequireSession.optional(sessions, revoked, handler.inMemoryOr(limited(handler))));
  }

  /** Only with a valid session that was not signed out. */
  private HttpHandler session(HttpHandler handler) {
    return tenantPath(RequireSession.required(sessions, revoked, limited(handler)));
  }

  /**
   * A command as a session: the session (not signed out) first, then the rate limits of {@code
   * action}, the body, a place among the running requests, then what the body writes is checked
   * against abuse, and the command runs (or, on a replica, is forwarded).
   */
  private HttpHandler writer(Action action, HttpHandler command) {
    // A banned user's writes are refused from this node's own projection, before any limit counts.
    return tenantPath(
        RequireSession.required(
            sessions,
            revoked,
            BansHandler.refuseBanned(
                bans, clock, abuse.rateLimited(action, limited(abuse.checked(action, command))))));
  }

  /** A moderator of the tenant (or its admin), then the command under the moderator's keys. */
  private HttpHandler moderator(IdempotencyKeys keys, HttpHandler handler) {
    return tenantPath(
        RequireModerator.moderator(
            settings.tenants(), moderators, limited(IdempotentCommand.asModerator(keys, handler))));
  }

  /** The tenant admin only: appointing, listing and dismissing moderators. */
  private HttpHandler admin(HttpHandler handler) {
    return tenantPath(RequireModerator.admin(settings.tenants(), moderators, limited(handler)));
  }

  private static HttpHandler checkedModeratorId(HttpHandler next) {
    return exchange -> {
      ModeratorsHandler.moderatorId(exchange);
      next.handleRequest(exchange);
    };
  }

  private HttpHandler tenantPath(HttpHandler next) {
    return new PathParameters(settings.tenants().keySet(), next);
  }

  /**
   * The whole (bounded) body first, received without a thread, so that a slow sender holds no
   * place; then a place among the running API requests (or in the bounded queue) and a worker.
   */
  private HttpHandler limited(HttpHandler handler) {
    return new ReceiveBody(
        settings.maxBodyBytes(),
        settings.bodyTimeout(),
        new RequestLimitingHandler(apiLimit, new Blocking(handler)));
  }

  /**
   * A route only the deployment's nodes (and its operator's tools) call: the cluster key first,
   * then the body, then a place among the mesh's own few running requests.
   */
  private HttpHandler internal(HttpHandler handler) {
    return new ClusterKey(
        settings.keys().cluster(),
        clock,
        new ReceiveBody(
            settings.maxBodyBytes(),
            settings.bodyTimeout(),
            new RequestLimitingHandler(meshLimit, new Blocking(handler))));
  }

  /**
   * Scrapes share the worker pool but have their own small limit: however many scrapers come, they
   * take at most {@link #METRICS_RUNNING} workers from the API, and a flood of them is turned away.
   */
  private HttpHandler scrape(HttpHandler handler) {
    return new RequestLimitingHandler(metricsLimit, new Blocking(handler));
  }
}
