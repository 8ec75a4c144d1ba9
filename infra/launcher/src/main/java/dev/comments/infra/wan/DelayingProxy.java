package dev.comments.infra.wan;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy that holds every byte for a fixed one-way latency in each direction, so that the
 * regions of a local cluster, all on loopback, talk to each other as over a WAN link.
 *
 * <p>Bytes pipeline: a chunk read at t is written at t + oneWay while later chunks keep being read,
 * so the link adds latency, not a bandwidth limit. The one bound is a window of {@value
 * #WINDOW_BYTES} bytes in flight per direction, as TCP's own window, so that a peer that stops
 * reading holds back its sender instead of filling this JVM's memory. The TCP handshake itself is
 * not delayed: a client is connected at once, and its first bytes arrive after oneWay.
 *
 * <p>An EOF from one side reaches the other as a half-close, after the delay like any byte; a reset
 * closes the whole connection. A refused target closes the client at once, so that the client sees
 * the failure rather than a silent connection.
 */
public final class DelayingProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DelayingProxy.class);
  private static final int CHUNK_BYTES = 64 * 1024;
  private static final int WINDOW_BYTES = 16 * 1024 * 1024;
  private static final int CONNECT_TIMEOUT_MS = 10_000;

  private final ServerSocket server;
  private final InetSocketAddress address;
  private final InetSocketAddress target;
  private final Duration oneWay;
  private final ExecutorService threads =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("wan-proxy-", 0).factory());
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private DelayingProxy(ServerSocket server, InetSocketAddress target, Duration oneWay) {
    this.server = server;
    this.address = (InetSocketAddress) server.getLocalSocketAddress();
    this.target = target;
    this.oneWay = oneWay;
  }

  /**
   * Listens on listen (port 0 = any free port) and forwards each connection to target, delaying
   * each direction by oneWay.
   */
  public static DelayingProxy start(
      InetSocketAddress listen, InetSocketAddress target, Duration oneWay) throws IOException {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(target, "target");
    if (oneWay.isNegative()) {
      throw new IllegalArgumentException("a negative delay: " + oneWay);
    }
    ServerSocket server = new ServerSocket();
    try {
      server.bind(listen, 128);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    DelayingProxy proxy = new DelayingProxy(server, target, oneWay);
    proxy.threads.execute(proxy::accept);
    log.debug("{} -> {}, {} each way", proxy.address, target, oneWay);
    return proxy;
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return address;
  }

  public Duration oneWay() {
    return oneWay;
  }

  /** Stops listening and closes every open connection. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    for (Connection connection : connections) {
      connection.close();
    }
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void accept() {
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("{} stopped accepting connections", address, e);
        }
        return;
      }
      try {
        threads.execute(() -> connect(client));
      } catch (RejectedExecutionException closing) {
        closeQuietly(client);
        return;
      }
    }
  }

  private void connect(Socket client) {
    Connection connection = new Connection(client, new Socket());
    connections.add(connection);
    // Checked after adding, so that close() either sees this connection or it sees closed.
    if (closed) {
      connection.close();
      return;
    }
    try {
      connection.upstream.connect(target, CONNECT_TIMEOUT_MS);
      client.setTcpNoDelay(true);
      connection.upstream.setTcpNoDelay(true);
    } catch (IOException e) {
      log.debug("{} could not reach {}: {}", address, target, e.toString());
      connection.close();
      return;
    }
    try {
      Direction up = new Direction(connection, client, connection.upstream);
      Direction down = new Direction(connection, connection.upstream, client);
      threads.execute(up::write);
      threads.execute(down::read);
      threads.execute(down::write);
      up.read();
    } catch (RejectedExecutionException closing) {
      connection.close();
    }
  }

  private long dueNanos() {
    return System.nanoTime() + oneWay.toNanos();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Closing is all that is left to do with it.
    }
  }

  /** What a reader hands its writer: bytes, or the end of the stream, each due at a time. */
  private sealed interface Segment {
    long due();
  }

  // The array is handed from one reader to one writer, never compared nor shared.
  @SuppressWarnings("ArrayRecordComponent")
  private record Bytes(long due, byte[] bytes) implements Segment {}

  /** The end of a direction: an EOF to pass on as a half-close, or a reset that ends everything. */
  private record End(long due, boolean reset) implements Segment {}

  private final class Connection {
    private final Socket client;
    private final Socket upstream;
    private final AtomicInteger openDirections = new AtomicInteger(2);

    Connection(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    /** Both sides have half-closed: nothing more can pass, so let go of the sockets. */
    void directionEnded() {
      if (openDirections.decrementAndGet() == 0) {
        close();
      }
    }

    void close() {
      closeQuietly(client);
      closeQuietly(upstream);
      connections.remove(this);
    }
  }

  /** One direction of a connection: a reader that stamps what it reads, a writer that waits. */
  private final class Direction {
    private final Connection connection;
    private final Socket from;
    private final Socket to;
    private final BlockingQueue<Segment> queue = new LinkedBlockingQueue<>();
    private final Semaphore window = new Semaphore(WINDOW_BYTES);

    Direction(Connection connection, Socket from, Socket to) {
      this.connection = connection;
      this.from = from;
      this.to = to;
    }

    void read() {
      byte[] buffer = new byte[CHUNK_BYTES];
      try {
        InputStream in = from.getInputStream();
        while (true) {
          int read = in.read(buffer);
          long due = dueNanos();
          if (read < 0) {
            queue.add(new End(due, false));
            return;
          }
          window.acquire(read);
          queue.add(new Bytes(due, Arrays.copyOf(buffer, read)));
        }
      } catch (IOException e) {
        queue.add(new End(dueNanos(), true));
      } catch (InterruptedException closing) {
        Thread.currentThread().interrupt();
      }
    }

    void write() {
      try {
        OutputStream out = to.getOutputStream();
        while (true) {
          Segment segment = queue.take();
          long wait = segment.due() - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          switch (segment) {
            case Bytes bytes -> {
              out.write(bytes.bytes());
              window.release(bytes.bytes().length);
            }
            case End end when end.reset() -> {
              connection.close();
              return;
            }
            case End end -> {
              to.shutdownOutput();
              connection.directionEnded();
              return;
            }
          }
        }
      } catch (IOException e) {
        connection.close();
      } catch (InterruptedException closing) {
        Thread.currentThread().interrupt();
      } finally {
        // Nothing will be written any more: a reader waiting for room must not wait forever.
        window.release(WINDOW_BYTES);
      }
    }
  }
}
