package dev.comments.edge.live;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.session.Session;
import dev.comments.events.ThreadId;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;

/**
 * {@code GET /stream/v1/tenants/{tenant}/threads/{thread}}: one thread's live messages as
 * Server-Sent Events, each with {@code id:} its position, so a reconnecting {@code EventSource}
 * resumes with {@code Last-Event-ID}. Everything that can be refused is refused with a JSON error
 * before the stream starts; runs after the tenant, thread and optional session were checked.
 */
public final class LiveStream implements HttpHandler {
  private static final HttpString LAST_EVENT_ID = HttpString.tryFromString("Last-Event-ID");
  private static final long MIN_RETRY_MS = 1_000;
  private static final long MAX_RETRY_MS = 10_000;

  private record Start(
      ThreadId thread, OptionalLong since, String viewerId, String address, XnioIoThread io) {}

  private final LiveHub hub;

  public LiveStream(LiveHub hub) {
    this.hub = Objects.requireNonNull(hub, "hub");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    ThreadId thread = PathParameters.threadId(exchange);
    String lastEventId = exchange.getRequestHeaders().getFirst(LAST_EVENT_ID);
    String sinceParameter =
        exchange.getQueryParameters().containsKey("since")
            ? exchange.getQueryParameters().get("since").getFirst()
            : null;
    // A reconnecting EventSource names the last event it got, which is newer than its URL's since.
    OptionalLong since = LiveRequest.since(lastEventId != null ? lastEventId : sinceParameter);
    String address = LiveRequest.address(exchange.getSourceAddress());
    if (!hub.admit(address)) {
      throw new ApiException(
          429,
          "too_many_connections",
          "this address has "
              + hub.limits().connectionsPerAddress()
              + " live connections open; close one first",
          Map.of("Retry-After", "5"));
    }
    String viewerId = Session.ifPresent(exchange).map(Session::sessionId).orElse(null);
    Start start = new Start(thread, since, viewerId, address, exchange.getIoThread());
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    AtomicBoolean started = new AtomicBoolean();
    // A client gone before its stream started holds no connection, so its place is given back here;
    // once started, the connection's close gives it back.
    exchange.addExchangeCompleteListener(
        (ended, next) -> {
          if (started.compareAndSet(false, true)) {
            hub.release(address);
          }
          next.proceed();
        });
    new ServerSentEventHandler(
            (connection, lastId) -> {
              if (started.compareAndSet(false, true)) {
                connected(connection, start);
              }
            })
        .handleRequest(exchange);
  }

  private void connected(ServerSentEventConnection connection, Start start) {
    connection.setKeepAliveTime(hub.limits().pingInterval().toMillis());
    // Spread the reconnections of a restarted node's readers over seconds, not one instant.
    connection.sendRetry(ThreadLocalRandom.current().nextLong(MIN_RETRY_MS, MAX_RETRY_MS));
    LiveConnection live =
        hub.connected(new StreamOutlet(connection, start.io()), start.address(), start.viewerId());
    connection.addCloseTask(closed -> live.closed());
    live.followOn(start.io().getWorker(), start.thread(), start.since());
  }

  private record StreamOutlet(ServerSentEventConnection connection, XnioIoThread ioThread)
      implements Outlet {
    @Override
    public void send(LiveFrame frame, String type, String id, Consumer<Boolean> done) {
      connection.send(
          frame.json(),
          type,
          id,
          new ServerSentEventConnection.EventCallback() {
            @Override
            public void done(
                ServerSentEventConnection connection, String data, String event, String id) {
              done.accept(true);
            }

            @Override
            public void failed(
                ServerSentEventConnection connection,
                String data,
                String event,
                String id,
                java.io.IOException e) {
              done.accept(false);
            }
          });
    }

    @Override
    public void ping() {
      // Undertow writes a comment line every keep-alive interval.
    }

    @Override
    public void close(int code, String reason) {
      // An event stream has no close code: the reader reconnects with Last-Event-ID.
      IoUtils.safeClose(connection);
    }
  }
}
