package dev.comments.geodns.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS over TCP (RFC 7766): each message has a two-byte length; a connection may carry many queries.
 * Each connection has a virtual thread of its own, at most {@code maxConnections} at once (more are
 * closed at once), and is closed after {@code idleTimeout} without a complete message, so slow or
 * silent clients hold a bounded number of sockets and never a platform thread.
 */
public final class TcpListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);

  private final ServerSocket server;
  private final QueryHandler handler;
  private final SourceRateLimit rateLimit;
  private final Semaphore connections;
  private final int idleMillis;
  private final Counter refused;
  private final Counter limited;
  private final Thread acceptor;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  public TcpListener(
      InetSocketAddress bind,
      QueryHandler handler,
      SourceRateLimit rateLimit,
      int maxConnections,
      Duration idleTimeout,
      MeterRegistry meters)
      throws IOException {
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(bind, 128);
    this.handler = handler;
    this.rateLimit = rateLimit;
    this.connections = new Semaphore(maxConnections);
    this.idleMillis = Math.toIntExact(idleTimeout.toMillis());
    this.refused = meters.counter("geodns.tcp.connections.refused");
    this.limited = meters.counter("geodns.queries.rate.limited", "transport", "tcp");
    this.acceptor = Thread.ofPlatform().name("geodns-tcp").daemon().unstarted(this::accept);
  }

  public int port() {
    return server.getLocalPort();
  }

  public void start() {
    acceptor.start();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        if (!connections.tryAcquire()) {
          refused.increment();
          socket.close();
          continue;
        }
        Thread.ofVirtual()
            .name("geodns-tcp-conn")
            .start(
                () -> {
                  open.add(socket);
                  try (socket) {
                    converse(socket);
                  } catch (IOException e) {
                    LOG.trace("TCP connection ended", e);
                  } finally {
                    open.remove(socket);
                    connections.release();
                  }
                });
      } catch (IOException e) {
        if (!server.isClosed()) {
          LOG.debug("TCP accept failed", e);
        }
      }
    }
  }

  private void converse(Socket socket) throws IOException {
    socket.setSoTimeout(idleMillis);
    socket.setTcpNoDelay(true);
    InetAddress source = socket.getInetAddress();
    InputStream raw = socket.getInputStream();
    DataInputStream in = new DataInputStream(raw);
    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
    while (true) {
      byte[] query;
      try {
        query = new byte[in.readUnsignedShort()];
        in.readFully(query);
      } catch (EOFException | SocketTimeoutException end) {
        return;
      }
      if (!rateLimit.tryAcquire(source)) {
        limited.increment();
        return;
      }
      Optional<byte[]> response = handler.handle(query, source, QueryHandler.Transport.TCP);
      if (response.isEmpty()) {
        // Nothing sensible can follow a message we will not answer on a stream.
        return;
      }
      byte[] bytes = response.get();
      out.writeShort(bytes.length);
      out.write(bytes);
      out.flush();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    server.close();
    for (Socket socket : open) {
      socket.close();
    }
    acceptor.join(Duration.ofSeconds(5).toMillis());
  }
}
