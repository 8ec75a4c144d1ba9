package dev.comments.geodns.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both kinds of UDP socket against real clients on loopback: the batched one (recvmmsg, here with a
 * batch of 8 so that one burst takes several calls) and the JDK channel.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"recvmmsg", "channel"})
class UdpSocketIT {
  @Parameter String io;

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final DistributionSummary batches = meters.summary("geodns.udp.batch");
  private UdpSocket socket;
  private Thread thread;

  /** One that sends each query back with the source it came from and whether it was cut. */
  private record Seen(InetAddress source, int length, boolean oversized) {}

  private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

  private final UdpSocket.Responder echo =
      (query, source, oversized) -> {
        seen.add(new Seen(source, query.length, oversized));
        byte[] from = (" " + source.getHostAddress()).getBytes(StandardCharsets.US_ASCII);
        byte[] reply = new byte[Math.min(query.length, 64) + from.length];
        System.arraycopy(query, 0, reply, 0, reply.length - from.length);
        System.arraycopy(from, 0, reply, reply.length - from.length, from.length);
        return Optional.of(reply);
      };

  private UdpSocket open(InetSocketAddress bind, boolean reusePort) throws IOException {
    return io.equals("recvmmsg")
        ? new BatchedSocket(Libc.load(), bind, reusePort, 8, batches)
        : new ChannelSocket(bind, reusePort);
  }

  private void serve(UdpSocket.Responder responder) {
    thread = Thread.ofPlatform().name("udp-socket-it").start(() -> socket.serve(responder));
  }

  @AfterEach
  void stop() throws Exception {
    if (socket != null) {
      socket.stop();
      if (thread != null) {
        thread.join(Duration.ofSeconds(5));
      }
      socket.release();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private DatagramChannel client(String address) throws IOException {
    InetAddress at = InetAddress.getByName(address);
    DatagramChannel client =
        DatagramChannel.open(
            at.getAddress().length == 16
                ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
    closing.add(client);
    client.bind(new InetSocketAddress(at, 0));
    return client;
  }

  private static String text(ByteBuffer buffer) {
    return StandardCharsets.US_ASCII.decode(buffer.flip()).toString();
  }

  @Test
  void answers_a_burst_from_several_sources_each_at_the_address_it_came_from() throws Exception {
    // Dual stack: IPv4 clients arrive as IPv4-mapped IPv6 addresses and must be seen as IPv4.
    socket = open(new InetSocketAddress(InetAddress.getByName("::"), 0), false);
    InetSocketAddress server = new InetSocketAddress(InetAddress.getByName("::1"), socket.port());
    InetSocketAddress server4 =
        new InetSocketAddress(InetAddress.getByName("127.0.0.1"), socket.port());
    List<DatagramChannel> clients =
        List.of(
            client("127.0.0.1"),
            client("127.0.0.1"),
            client("127.0.0.2"),
            client("::1"),
            client("::1"));
    int each = 20;
    // Everything is queued before the socket's thread starts, so its first receives fill batches.
    for (int c = 0; c < clients.size(); c++) {
      DatagramChannel client = clients.get(c);
      boolean v6 =
          ((InetSocketAddress) client.getLocalAddress()).getAddress().getAddress().length == 16;
      for (int q = 0; q < each; q++) {
        client.send(
            ByteBuffer.wrap(("c" + c + "q" + q).getBytes(StandardCharsets.US_ASCII)),
            v6 ? server : server4);
      }
    }
    serve(echo);

    for (int c = 0; c < clients.size(); c++) {
      DatagramChannel client = clients.get(c);
      InetSocketAddress local = (InetSocketAddress) client.getLocalAddress();
      List<String> replies = new ArrayList<>();
      try (var selector = Selector.open()) {
        client.configureBlocking(false);
        client.register(selector, SelectionKey.OP_READ);
        while (replies.size() < each && selector.select(3000) > 0) {
          selector.selectedKeys().clear();
          ByteBuffer in = ByteBuffer.allocate(256);
          while (client.receive(in) != null) {
            replies.add(text(in));
            in.clear();
          }
        }
      }
      List<String> expected = new ArrayList<>();
      for (int q = 0; q < each; q++) {
        expected.add("c" + c + "q" + q + " " + local.getAddress().getHostAddress());
      }
      assertThat(replies).containsExactlyInAnyOrderElementsOf(expected);
    }
    assertThat(seen).hasSize(clients.size() * each);
    assertThat(seen).noneMatch(Seen::oversized);
    if (io.equals("recvmmsg")) {
      // 100 queued datagrams in batches of at most 8: no fewer than 13 receives, some of them full.
      assertThat(batches.totalAmount()).isEqualTo(100);
      assertThat(batches.max()).isEqualTo(8);
    }
  }

  @Test
  void passes_the_start_of_an_oversized_datagram_and_says_it_was_cut() throws Exception {
    socket = open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), false);
    serve(echo);
    DatagramChannel client = client("127.0.0.1");
    InetSocketAddress server =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.port());

    client.send(ByteBuffer.allocate(UdpListener.MAX_DATAGRAM), server);
    client.send(ByteBuffer.allocate(UdpListener.MAX_DATAGRAM + 1), server);
    client.send(ByteBuffer.allocate(20_000), server);

    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
    assertThat(seen)
        .containsExactly(
            new Seen(InetAddress.getByName("127.0.0.1"), UdpListener.MAX_DATAGRAM, false),
            new Seen(InetAddress.getByName("127.0.0.1"), UdpListener.MAX_DATAGRAM, true),
            new Seen(InetAddress.getByName("127.0.0.1"), UdpListener.MAX_DATAGRAM, true));
  }

  @Test
  void stop_wakes_a_thread_blocked_in_receive_and_release_frees_the_port() throws Exception {
    socket = open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), false);
    int port = socket.port();
    serve(echo);
    DatagramChannel client = client("127.0.0.1");
    client.socket().setSoTimeout(3000);
    client.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress("127.0.0.1", port));
    // One answer back: the thread is in its loop, and now blocked waiting for the next datagram.
    client.socket().receive(new DatagramPacket(new byte[64], 64));

    socket.stop();

    await().atMost(Duration.ofSeconds(5)).until(() -> !thread.isAlive());
    socket.release();
    socket = null;
    // The port is free again: nothing holds the descriptor.
    try (DatagramChannel again = DatagramChannel.open()) {
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
  }
}
