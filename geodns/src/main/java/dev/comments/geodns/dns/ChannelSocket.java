package dev.comments.geodns.dns;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A socket on the JDK's {@link DatagramChannel}: one system call per datagram each way. It runs
 * everywhere the JDK does, so it is the fallback when {@link BatchedSocket} cannot be used.
 */
final class ChannelSocket implements UdpSocket {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelSocket.class);

  private final DatagramChannel channel;

  ChannelSocket(InetSocketAddress bind, boolean reusePort) throws IOException {
    DatagramChannel opened =
        DatagramChannel.open(
            bind.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
    try {
      // A deep queue absorbs bursts (the kernel caps it at net.core.rmem_max).
      opened.setOption(StandardSocketOptions.SO_RCVBUF, UdpListener.RECEIVE_BUFFER);
      if (reusePort) {
        opened.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      opened.bind(bind);
    } catch (IOException | UnsupportedOperationException e) {
      opened.close();
      throw e;
    }
    this.channel = opened;
  }

  @Override
  public int port() throws IOException {
    return ((InetSocketAddress) channel.getLocalAddress()).getPort();
  }

  @Override
  public void serve(Responder responder) {
    // Direct buffers, one pair per thread, so that the channel copies no bytes of its own. One byte
    // more than the longest query tells an oversized datagram (the kernel drops the rest).
    ByteBuffer in = ByteBuffer.allocateDirect(UdpListener.MAX_DATAGRAM + 1);
    ByteBuffer out = ByteBuffer.allocateDirect(UdpListener.MAX_DATAGRAM);
    while (channel.isOpen()) {
      try {
        in.clear();
        InetSocketAddress from = (InetSocketAddress) channel.receive(in);
        if (from == null) {
          continue;
        }
        boolean oversized = in.flip().remaining() > UdpListener.MAX_DATAGRAM;
        byte[] query = new byte[Math.min(in.remaining(), UdpListener.MAX_DATAGRAM)];
        in.get(query);
        Optional<byte[]> response = responder.respond(query, from.getAddress(), oversized);
        if (response.isPresent() && response.get().length <= out.capacity()) {
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
  public void stop() {
    // Closing the channel wakes its thread blocked in receive (the JDK signals it).
    release();
  }

  @Override
  public void release() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing a UDP channel failed", e);
    }
  }
}
