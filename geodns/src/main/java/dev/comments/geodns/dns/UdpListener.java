package dev.comments.geodns.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives datagrams and sends back what the handler says. A query is answered on the thread that
 * received it: answering is microseconds, so a hand-off to a pool would cost more than it saves,
 * and the rate limit runs before the parse.
 *
 * <p>With several threads each has a socket of its own on the one port ({@code SO_REUSEPORT}; the
 * kernel spreads clients over them by address and port), as gdnsd's {@code udp_threads} do. Threads
 * sharing one socket had to pass its receive lock on for every datagram, three futex calls per
 * query that cost more than the two calls that move the datagrams. A port-0 bind first takes a free
 * port without {@code SO_REUSEPORT}, so that it can never land in another process's group.
 *
 * <p>On Linux with native access granted, each socket moves a batch of datagrams per system call
 * ({@link BatchedSocket}); elsewhere, or with a batch of 1, the JDK's channel moves one ({@link
 * ChannelSocket}). {@link #io()} says which, and so do the log and a gauge.
 */
public final class UdpListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UdpListener.class);

  /**
   * The longest query read and the longest answer sent: {@code maxUdpPayload} is at most this. A
   * longer query is answered FORMERR, as one the server does not read.
   */
  static final int MAX_DATAGRAM = 4096;

  static final int RECEIVE_BUFFER = 4 << 20;

  /** How datagrams move between the kernel and the listener. */
  public enum Io {
    /** {@code recvmmsg}/{@code sendmmsg} through the Foreign Function and Memory API. */
    RECVMMSG,
    /** The JDK's {@code DatagramChannel}, one datagram per system call. */
    CHANNEL
  }

  private final Io io;
  private final List<UdpSocket> sockets;
  private final QueryHandler handler;
  private final SourceRateLimit rateLimit;
  private final Counter limited;
  private final List<Thread> threads;

  /**
   * @param threads how many threads (and sockets) receive and answer (at least 1)
   * @param batch the most datagrams one system call moves; 1 uses the JDK's channel
   */
  public UdpListener(
      InetSocketAddress bind,
      int threads,
      int batch,
      QueryHandler handler,
      SourceRateLimit rateLimit,
      MeterRegistry meters)
      throws IOException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1: " + threads);
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be at least 1: " + batch);
    }
    Opener opener = opener(batch, meters);
    this.io = opener.io();
    this.sockets = bindAll(opener, bind, threads);
    this.handler = handler;
    this.rateLimit = rateLimit;
    this.limited = meters.counter("geodns.queries.rate.limited", "transport", "udp");
    // A constant, held by the gauge itself: a listener closed after a failed bind must not leave
    // the gauge reading a collected object.
    Gauge.builder("geodns.udp.sockets", () -> threads)
        .tag("io", io.name().toLowerCase(Locale.ROOT))
        .register(meters);
    List<Thread> started = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      UdpSocket socket = sockets.get(i);
      started.add(
          Thread.ofPlatform()
              .name("geodns-udp-" + i)
              .daemon()
              .unstarted(() -> socket.serve(this::respond)));
    }
    this.threads = List.copyOf(started);
  }

  /** Opens one socket: the I/O it uses is fixed per listener. */
  private interface Opener {
    /**
     * @param index which of the listener's sockets this is (its metrics' {@code socket} tag)
     */
    UdpSocket open(InetSocketAddress bind, boolean reusePort, int index) throws IOException;

    Io io();
  }

  private static Opener opener(int batch, MeterRegistry meters) {
    if (batch > 1) {
      try {
        Libc libc = NativeLibc.get();
        LOG.info("GeoDNS UDP moves up to {} datagrams per system call (recvmmsg/sendmmsg)", batch);
        return new Opener() {
          @Override
          public UdpSocket open(InetSocketAddress bind, boolean reusePort, int index)
              throws IOException {
            // One summary per socket: the threads sharing one had its max and count's cache
            // lines pass between the cores on every batch (a tenth of the Java samples).
            DistributionSummary received =
                DistributionSummary.builder("geodns.udp.batch")
                    .description("datagrams one recvmmsg brought")
                    .tag("socket", Integer.toString(index))
                    .register(meters);
            return new BatchedSocket(libc, bind, reusePort, batch, received);
          }

          @Override
          public Io io() {
            return Io.RECVMMSG;
          }
        };
      } catch (UnsupportedOperationException e) {
        LOG.warn(
            "GeoDNS UDP moves one datagram per system call (DatagramChannel): {}", e.getMessage());
      }
    } else {
      LOG.info("GeoDNS UDP moves one datagram per system call (DatagramChannel): batch is 1");
    }
    return new Opener() {
      @Override
      public UdpSocket open(InetSocketAddress bind, boolean reusePort, int index)
          throws IOException {
        return new ChannelSocket(bind, reusePort);
      }

      @Override
      public Io io() {
        return Io.CHANNEL;
      }
    };
  }

  /** The C library's bindings, made once per JVM, or the reason they cannot be. */
  private static final class NativeLibc {
    private static final Libc LIBC;
    private static final String UNAVAILABLE;

    static {
      Libc libc = null;
      String reason = null;
      try {
        libc = Libc.load();
      } catch (UnsupportedOperationException | IllegalCallerException | LinkageError e) {
        reason = e.getMessage();
      } catch (RuntimeException e) {
        reason = e.toString();
      }
      LIBC = libc;
      UNAVAILABLE = reason;
    }

    static Libc get() {
      if (LIBC == null) {
        throw new UnsupportedOperationException(UNAVAILABLE);
      }
      return LIBC;
    }
  }

  private static List<UdpSocket> bindAll(Opener opener, InetSocketAddress bind, int threads)
      throws IOException {
    if (threads == 1) {
      return List.of(opener.open(bind, false, 0));
    }
    InetSocketAddress at = bind;
    if (bind.getPort() == 0) {
      UdpSocket probe = opener.open(bind, false, 0);
      try {
        at = new InetSocketAddress(bind.getAddress(), probe.port());
      } finally {
        probe.release();
      }
    }
    List<UdpSocket> bound = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        bound.add(opener.open(at, true, i));
      }
    } catch (IOException | RuntimeException e) {
      bound.forEach(UdpSocket::release);
      throw e;
    }
    return List.copyOf(bound);
  }

  /** Rate limit, then the handler; an oversized query is not read, only answered FORMERR. */
  private Optional<byte[]> respond(byte[] query, InetAddress source, boolean oversized) {
    if (!rateLimit.tryAcquire(source)) {
      limited.increment();
      return Optional.empty();
    }
    return oversized
        ? handler.oversized(query, QueryHandler.Transport.UDP)
        : handler.handle(query, source, QueryHandler.Transport.UDP);
  }

  public int port() {
    try {
      return sockets.getFirst().port();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Which I/O the sockets use (batched, or the JDK's channel as the fallback). */
  public Io io() {
    return io;
  }

  public void start() {
    threads.forEach(Thread::start);
  }

  @Override
  public void close() throws InterruptedException {
    sockets.forEach(UdpSocket::stop);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    for (Thread thread : threads) {
      long left = deadline - System.nanoTime();
      if (left > 0 && thread.isAlive()) {
        thread.join(Duration.ofNanos(left));
      }
    }
    for (int i = 0; i < sockets.size(); i++) {
      // A thread still inside a system call keeps its descriptor, so that the number is not
      // reused under it.
      if (threads.get(i).isAlive()) {
        LOG.warn("UDP thread {} did not stop; its socket stays open", threads.get(i).getName());
      } else {
        sockets.get(i).release();
      }
    }
  }
}
