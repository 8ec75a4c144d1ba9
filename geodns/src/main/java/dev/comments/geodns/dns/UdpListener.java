package dev.comments.geodns.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives datagrams and sends back what the handler says. A query is answered on the thread that
 * received it: answering is microseconds, so a hand-off to a pool would cost more than it saves,
 * and the rate limit runs before the parse. Several threads receive from the one socket, as gdnsd's
 * {@code udp_threads} do (there each on a socket of its own): one thread left the second core idle
 * while it answered, and under CPU contention a process gets the scheduler's time per runnable
 * thread. One shared socket rather than {@code SO_REUSEPORT} sockets, because a port-0 bind with
 * {@code SO_REUSEPORT} may join another same-user process's group on that port and split its
 * traffic, which tests running side by side would do.
 */
public final class UdpListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UdpListener.class);

  /** The largest datagram; a bigger one is cut by the kernel and then fails to parse (FORMERR). */
  private static final int MAX_DATAGRAM = 65_535;

  private static final int RECEIVE_BUFFER = 4 << 20;

  private final DatagramChannel channel;
  private final QueryHandler handler;
  private final SourceRateLimit rateLimit;
  private final Counter limited;
  private final List<Thread> threads;

  /**
   * @param threads how many threads receive and answer (at least 1)
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
    this.channel =
        DatagramChannel.open(
            bind.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
    try {
      // A deep queue absorbs bursts (the kernel caps it at net.core.rmem_max).
      channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
      channel.bind(bind);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    this.handler = handler;
    this.rateLimit = rateLimit;
    this.limited = meters.counter("geodns.queries.rate.limited", "transport", "udp");
    this.threads =
        IntStream.range(0, threads)
            .mapToObj(
                i -> Thread.ofPlatform().name("geodns-udp-" + i).daemon().unstarted(this::serve))
            .toList();
  }

  public int port() {
    return ((InetSocketAddress) localAddress()).getPort();
  }

  private SocketAddress localAddress() {
    try {
      return channel.getLocalAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void start() {
    threads.forEach(Thread::start);
  }

  private void serve() {
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
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing the UDP channel failed", e);
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
