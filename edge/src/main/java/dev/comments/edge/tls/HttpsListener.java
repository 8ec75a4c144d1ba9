package dev.comments.edge.tls;

import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.ssl.SslConnection;

/**
 * The HTTPS listener: HTTP/2 and HTTP/1.1 by ALPN, as Undertow's own HTTPS listener makes it, and a
 * bound on the handshake. Undertow times out a request's headers and an idle connection, but not a
 * handshake: a client that opens a connection to the TLS port and sends nothing (or half a
 * ClientHello, then nothing) would hold it for as long as it likes. Undertow's builder offers no
 * hook on a new connection, so the listener is opened here, on the server's own worker and buffer
 * pool, with the same open listeners; each new connection gets a deadline, removed when its
 * handshake completes. HTTP/2 connections get the header timeout of HTTP/1.1 on each header block
 * as well ({@link Http2HeaderDeadline}).
 */
public final class HttpsListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpsListener.class);

  private final AcceptingChannel<SslConnection> channel;
  private final AtomicBoolean closed = new AtomicBoolean();

  private HttpsListener(AcceptingChannel<SslConnection> channel) {
    this.channel = channel;
  }

  /**
   * @param buffers the server's own buffer pool (as Undertow gives its listeners), closed by the
   *     server, not here
   * @param socketOptions the XNIO options of the listening socket and its connections (protocols,
   *     suites, client certificates)
   * @param serverOptions Undertow's options, the same as the plain listener's (header limits and
   *     timeouts; {@code REQUEST_PARSE_TIMEOUT} bounds HTTP/2 header blocks too)
   * @param handshakeTimeout how long a connection may take from its opening to the end of its
   *     handshake before it is closed
   */
  public static HttpsListener open(
      XnioWorker worker,
      InetSocketAddress address,
      NodeTls tls,
      ByteBufferPool buffers,
      OptionMap socketOptions,
      OptionMap serverOptions,
      HttpHandler root,
      Duration handshakeTimeout) {
    Objects.requireNonNull(root, "root");
    if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
      throw new IllegalArgumentException("handshakeTimeout must be positive");
    }
    Objects.requireNonNull(buffers, "buffers");
    OptionMap undertowOptions =
        OptionMap.builder()
            .set(UndertowOptions.BUFFER_PIPELINED_DATA, false)
            .addAll(serverOptions)
            .getMap();
    HttpOpenListener http11 = new HttpOpenListener(buffers, undertowOptions);
    http11.setRootHandler(root);
    Http2OpenListener http2 = new Http2OpenListener(buffers, undertowOptions);
    http2.setRootHandler(root);
    AlpnOpenListener alpn = new AlpnOpenListener(buffers, undertowOptions, http11);
    int headerTimeout = undertowOptions.get(UndertowOptions.REQUEST_PARSE_TIMEOUT, -1);
    alpn.addProtocol(
        Http2OpenListener.HTTP2,
        headerTimeout > 0 ? new Http2HeaderDeadline(http2, headerTimeout) : http2,
        10);
    long deadlineMillis = handshakeTimeout.toMillis();
    ChannelListener<StreamConnection> guarded =
        connection -> {
          guard((SslConnection) connection, deadlineMillis);
          alpn.handleEvent(connection);
        };
    OptionMap.Builder optionsBuilder =
        OptionMap.builder()
            .set(Options.TCP_NODELAY, true)
            .set(Options.REUSE_ADDRESSES, true)
            .set(Options.BACKLOG, 1000)
            .addAll(socketOptions);
    if (tls.listenerContext() instanceof NativeTls.Context) {
      // XNIO tells each engine to create sessions (the default); Netty's always does and throws
      // when told so, while being told not to is its no-op.
      optionsBuilder.set(Options.SSL_ENABLE_SESSION_CREATION, false);
    }
    OptionMap options = optionsBuilder.getMap();
    try {
      UndertowXnioSsl ssl =
          new UndertowXnioSsl(
              worker.getXnio(),
              OptionMap.create(Options.USE_DIRECT_BUFFERS, true),
              tls.listenerContext());
      AcceptingChannel<SslConnection> channel =
          ssl.createSslConnectionServer(
              worker, address, ChannelListeners.openListenerAdapter(guarded), options);
      channel.resumeAccepts();
      return new HttpsListener(channel);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for HTTPS on " + address, e);
    }
  }

  /** Closes {@code connection} unless its handshake completes within the deadline. */
  private static void guard(SslConnection connection, long deadlineMillis) {
    AtomicBoolean shaken = new AtomicBoolean();
    XnioExecutor.Key deadline =
        connection
            .getIoThread()
            .executeAfter(
                () -> {
                  if (!shaken.get()) {
                    log.debug("TLS handshake not done within {} ms; closing", deadlineMillis);
                    IoUtils.safeClose(connection);
                  }
                },
                deadlineMillis,
                TimeUnit.MILLISECONDS);
    connection
        .getHandshakeSetter()
        .set(
            done -> {
              shaken.set(true);
              deadline.remove();
            });
  }

  /** The bound port; the real one when port 0 was asked for. */
  public int port() {
    return ((InetSocketAddress) channel.getLocalAddress()).getPort();
  }

  /**
   * Closes the listening socket. Once only: a second close, after the server's worker has stopped,
   * would wait for an IO thread that is gone.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    IoUtils.safeClose(channel);
  }
}
