package dev.comments.geodns.dns;

import io.micrometer.core.instrument.DistributionSummary;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A socket opened through the C library, moving up to {@code batch} datagrams per system call each
 * way ({@code recvmmsg}/{@code sendmmsg}), as gdnsd does: under load the per-datagram calls of the
 * JDK's channel were most of a query's CPU. The receive blocks until one datagram is there and then
 * takes whatever else is queued ({@code MSG_WAITFORONE}); the answers go back in one call, each to
 * the very {@code sockaddr} its query came from.
 *
 * <p>The arrays ({@code mmsghdr}, {@code iovec}, {@code sockaddr}, buffers) live in one arena per
 * thread and are reused; an answer is written over its query's buffer, which has been copied out.
 */
final class BatchedSocket implements UdpSocket {
  private static final Logger LOG = LoggerFactory.getLogger(BatchedSocket.class);

  // struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; } on LP64 Linux.
  private static final long MMSGHDR = 64;
  private static final long MSG_NAME = 0;
  private static final long MSG_NAMELEN = 8;
  private static final long MSG_IOV = 16;
  private static final long MSG_IOVLEN = 24;
  private static final long MSG_FLAGS = 48;
  private static final long MSG_LEN = 56;
  // struct iovec { void *iov_base; size_t iov_len; }
  private static final long IOVEC = 16;
  private static final long NAME = 32;

  private final Libc libc;
  private final int fd;
  private final int batch;
  private final DistributionSummary received;
  private volatile boolean stopping;
  private boolean released;

  /**
   * @param received records how many datagrams each receive brought (the batches' fill)
   */
  BatchedSocket(
      Libc libc, InetSocketAddress bind, boolean reusePort, int batch, DistributionSummary received)
      throws IOException {
    this.libc = libc;
    this.batch = batch;
    this.received = received;
    try (Arena arena = Arena.ofConfined()) {
      this.fd =
          libc.openUdp(
              SocketAddresses.of(bind, arena),
              SocketAddresses.family(bind),
              reusePort,
              UdpListener.RECEIVE_BUFFER);
    }
  }

  @Override
  public int port() throws IOException {
    return libc.port(fd);
  }

  @Override
  public void serve(Responder responder) {
    try (Arena arena = Arena.ofConfined()) {
      Libc.CallState state = new Libc.CallState(arena);
      MemorySegment received = arena.allocate(MMSGHDR * batch, 8);
      MemorySegment receivedIov = arena.allocate(IOVEC * batch, 8);
      MemorySegment names = arena.allocate(NAME * batch, 8);
      MemorySegment buffers = arena.allocate((long) UdpListener.MAX_DATAGRAM * batch, 8);
      MemorySegment replies = arena.allocate(MMSGHDR * batch, 8);
      MemorySegment repliesIov = arena.allocate(IOVEC * batch, 8);
      for (int i = 0; i < batch; i++) {
        long header = i * MMSGHDR;
        long iov = i * IOVEC;
        received.set(ValueLayout.JAVA_LONG, header + MSG_NAME, names.address() + i * NAME);
        received.set(ValueLayout.JAVA_LONG, header + MSG_IOV, receivedIov.address() + iov);
        received.set(ValueLayout.JAVA_LONG, header + MSG_IOVLEN, 1);
        receivedIov.set(ValueLayout.JAVA_LONG, iov, buffer(buffers, i));
        receivedIov.set(ValueLayout.JAVA_LONG, iov + 8, UdpListener.MAX_DATAGRAM);
        replies.set(ValueLayout.JAVA_LONG, header + MSG_IOV, repliesIov.address() + iov);
        replies.set(ValueLayout.JAVA_LONG, header + MSG_IOVLEN, 1);
      }
      LastSource sources = new LastSource();
      int used = batch;
      while (!stopping) {
        for (int i = 0; i < used; i++) {
          // The kernel wrote the length of the last sender's address here; give it the room again.
          received.set(ValueLayout.JAVA_INT, i * MMSGHDR + MSG_NAMELEN, (int) SocketAddresses.SIZE);
        }
        int count = libc.recvmmsg(state, fd, received, batch, Libc.MSG_WAITFORONE);
        if (stopping) {
          return;
        }
        if (count < 0) {
          int errno = state.errno();
          used = batch;
          if (errno != Libc.EINTR && errno != Libc.EAGAIN) {
            LOG.debug("UDP receive failed: {}", libc.message(errno));
          }
          continue;
        }
        used = count;
        this.received.record(count);
        int answers =
            answer(responder, sources, received, names, buffers, replies, repliesIov, count);
        send(state, replies, answers);
      }
    }
  }

  private static long buffer(MemorySegment buffers, int slot) {
    return buffers.address() + (long) slot * UdpListener.MAX_DATAGRAM;
  }

  /** Answers the {@code count} datagrams received; returns how many replies it queued. */
  private static int answer(
      Responder responder,
      LastSource sources,
      MemorySegment received,
      MemorySegment names,
      MemorySegment buffers,
      MemorySegment replies,
      MemorySegment repliesIov,
      int count) {
    int answers = 0;
    for (int i = 0; i < count; i++) {
      try {
        long header = i * MMSGHDR;
        int length = received.get(ValueLayout.JAVA_INT, header + MSG_LEN);
        int nameLength = received.get(ValueLayout.JAVA_INT, header + MSG_NAMELEN);
        boolean oversized =
            (received.get(ValueLayout.JAVA_INT, header + MSG_FLAGS) & Libc.MSG_TRUNC) != 0;
        InetAddress source = sources.of(names, i * NAME, nameLength);
        if (source == null) {
          continue;
        }
        byte[] query = new byte[Math.min(length, UdpListener.MAX_DATAGRAM)];
        MemorySegment.copy(
            buffers,
            ValueLayout.JAVA_BYTE,
            (long) i * UdpListener.MAX_DATAGRAM,
            query,
            0,
            query.length);
        Optional<byte[]> response = responder.respond(query, source, oversized);
        if (response.isEmpty() || response.get().length > UdpListener.MAX_DATAGRAM) {
          continue;
        }
        byte[] wire = response.get();
        MemorySegment.copy(
            wire,
            0,
            buffers,
            ValueLayout.JAVA_BYTE,
            (long) i * UdpListener.MAX_DATAGRAM,
            wire.length);
        long reply = answers * MMSGHDR;
        replies.set(ValueLayout.JAVA_LONG, reply + MSG_NAME, names.address() + i * NAME);
        replies.set(ValueLayout.JAVA_INT, reply + MSG_NAMELEN, nameLength);
        repliesIov.set(ValueLayout.JAVA_LONG, answers * IOVEC, buffer(buffers, i));
        repliesIov.set(ValueLayout.JAVA_LONG, answers * IOVEC + 8, wire.length);
        answers++;
      } catch (RuntimeException e) {
        LOG.error("UDP query failed unexpectedly; still serving", e);
      }
    }
    return answers;
  }

  /**
   * The sender of the last IPv4 datagram, kept by this thread: a server's clients are mostly a few
   * resolvers, so most datagrams of a batch come from the address before, and are answered without
   * a new {@link InetAddress} (and its array and holder) each.
   */
  private static final class LastSource {
    private int ipv4;
    private InetAddress address;

    InetAddress of(MemorySegment names, long at, int length) {
      if (names.get(ValueLayout.JAVA_SHORT, at) == Libc.AF_INET
          && length >= SocketAddresses.IN_SIZE) {
        int raw = names.get(ValueLayout.JAVA_INT_UNALIGNED, at + 4);
        if (address != null && raw == ipv4) {
          return address;
        }
        InetAddress fresh = SocketAddresses.source(names, at, length);
        ipv4 = raw;
        address = fresh;
        return fresh;
      }
      return SocketAddresses.source(names, at, length);
    }
  }

  private void send(Libc.CallState state, MemorySegment replies, int count) {
    int sent = 0;
    while (sent < count) {
      int result = libc.sendmmsg(state, fd, replies.asSlice(sent * MMSGHDR), count - sent);
      if (result > 0) {
        sent += result;
      } else if (result < 0 && state.errno() == Libc.EINTR) {
        continue;
      } else {
        // The first of the rest failed (an unreachable client, a firewall): skip it, send the
        // others.
        if (result < 0) {
          LOG.debug("UDP send failed: {}", libc.message(state.errno()));
        }
        sent++;
      }
    }
  }

  @Override
  public void stop() {
    stopping = true;
    libc.shutdown(fd);
  }

  @Override
  public synchronized void release() {
    if (!released) {
      released = true;
      libc.closeFd(fd);
    }
  }
}
