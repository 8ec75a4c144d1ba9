package dev.comments.geodns.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 */
public final class UdpListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UdpListener.class);

  /** The largest datagram; a bigger one is cut by the kernel and then fails to parse (FORMERR). */
  private static final int MAX_DATAGRAM = 65_535;

  private static final int RECEIVE_BUFFER = 4 << 20;

  private final List<DatagramChannel> channels;
  private final QueryHandler handler;
  private final SourceRateLimit rateLimit;
  private final Counter limited;
  private final List<Thread> threads;

  /**
   * @param threads how many threads (and sockets) receive and answer (at least 1)
   */
  public UdpListener(
      InetSocketAddress bind,
      int threads,
      QueryHandler handler,
      SourceRateLimit rateLimit,
      MeterRegistry meters)
      throws IOException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1: " + threads);
    }
    this.channels = bindAll(bind, threads);
    this.handler = handler;
    this.rateLimit = rateLimit;
    this.limited = meters.counter("geodns.queries.rate.limited", "transport", "udp");
    List<Thread> started = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      DatagramChannel channel = channels.get(i);
      started.add(
          Thread.ofPlatform().name("geodns-udp-" + i).daemon().unstarted(() -> serve(channel)));
    }
    this.threads = List.copyOf(started);
  }

  private static List<DatagramChannel> bindAll(InetSocketAddress bind, int threads)
      throws IOException {
    if (threads == 1) {
      return List.of(open(bind, false));
    }
    InetSocketAddress at = bind;
    if (bind.getPort() == 0) {
      try (DatagramChannel probe = open(bind, false)) {
        at = new InetSocketAddress(bind.getAddress(), port(probe));
      }
    }
    List<DatagramChannel> bound = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        bound.add(open(at, true));
      }
    } catch (IOException e) {
      for (DatagramChannel channel : bound) {
        channel.close();
      }
      throw e;
    }
    return List.copyOf(bound);
  }

  private static DatagramChannel open(InetSocketAddress bind, boolean reusePort)
      throws IOException {
    DatagramChannel channel =
        DatagramChannel.open(
            bind.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
    try {
      // A deep queue absorbs bursts (the kernel caps it at net.core.rmem_max).
      channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
      if (reusePort) {
        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      channel.bind(bind);
      return channel;
    } catch (IOException | UnsupportedOperationException e) {
      channel.close();
      throw e;
    }
  }

  private static int port(DatagramChannel channel) throws IOException {
    return ((InetSocketAddress) channel.getLocalAddress()).getPort();
  }

  public int port() {
    try {
      return port(channels.getFirst());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void start() {
    threads.forEach(Thread::start);
  }

  private void serve(DatagramChannel channel) {
    // Direct buffers, one pair per thread, so that the channel copies no bytes of its own.
    ByteBuffer in = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    ByteBuffer out = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    while (channel.isOpen()) {
      try {
        in.clear();
        InetSocketAddress from = (InetSocketAddress) channel.receive(in);
        if (from == null) {
          continue;
        }
        InetAddress source = from.getAddress();
        if (!rateLimit.tryAcquire(source)) {
          limited.increment();
          continue;
        }
        byte[] query = new byte[in.flip().remaining()];
        in.get(query);
        Optional<byte[]> response = handler.handle(query, source, QueryHandler.Transport.UDP);
        if (response.isPresent()) {
          out.clear();
          out.put(response.get()).flip();
          channel.send(out, from);
        }
      } catch (ClosedChannelException closed) {
        return;
      } catch (IOException e) {
        if (channel.isOpen()) {
          // One failed send (an unreachable client, an ICMP error) must not stop the listener.
          LOG.debug("UDP receive or send failed", e);
        }
      } catch (RuntimeException e) {
        LOG.error("UDP query failed unexpectedly; still serving", e);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (DatagramChannel channel : channels) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.debug("closing a UDP channel failed", e);
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    for (Thread thread : threads) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        thread.join(Duration.ofNanos(left));
      }
    }
  }
}
