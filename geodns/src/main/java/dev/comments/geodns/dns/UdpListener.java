package dev.comments.geodns.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives datagrams and sends back what the handler says. A query is answered on the receiving
 * thread: answering is a parse, a binary search and a serialization (microseconds), so a hand-off
 * to a pool would cost more than it saves, and the rate limit runs before the parse.
 */
public final class UdpListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UdpListener.class);

  /** The largest datagram; a bigger one is cut by the kernel and then fails to parse (FORMERR). */
  private static final int MAX_DATAGRAM = 65_535;

  private static final int RECEIVE_BUFFER = 4 << 20;

  private final DatagramSocket socket;
  private final QueryHandler handler;
  private final SourceRateLimit rateLimit;
  private final Counter limited;
  private final Thread thread;

  public UdpListener(
      InetSocketAddress bind, QueryHandler handler, SourceRateLimit rateLimit, MeterRegistry meters)
      throws IOException {
    this.socket = new DatagramSocket(bind);
    // A deep queue absorbs bursts (the kernel caps it at net.core.rmem_max).
    socket.setReceiveBufferSize(RECEIVE_BUFFER);
    this.handler = handler;
    this.rateLimit = rateLimit;
    this.limited = meters.counter("geodns.queries.rate.limited", "transport", "udp");
    this.thread = Thread.ofPlatform().name("geodns-udp").daemon().unstarted(this::serve);
  }

  public int port() {
    return socket.getLocalPort();
  }

  public void start() {
    thread.start();
  }

  private void serve() {
    byte[] buffer = new byte[MAX_DATAGRAM];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    while (!socket.isClosed()) {
      try {
        packet.setLength(buffer.length);
        socket.receive(packet);
        if (!rateLimit.tryAcquire(packet.getAddress())) {
          limited.increment();
          continue;
        }
        byte[] query = Arrays.copyOf(buffer, packet.getLength());
        Optional<byte[]> response =
            handler.handle(query, packet.getAddress(), QueryHandler.Transport.UDP);
        if (response.isPresent()) {
          byte[] bytes = response.get();
          socket.send(new DatagramPacket(bytes, bytes.length, packet.getSocketAddress()));
        }
      } catch (IOException e) {
        if (!socket.isClosed()) {
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
    socket.close();
    thread.join(Duration.ofSeconds(5).toMillis());
  }
}
