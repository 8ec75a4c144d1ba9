package dev.comments.infra;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Ports free right now, so that tests never take the default ones (8080, 5353) that people's own
 * nodes on this machine may hold.
 */
public final class FreePorts {
  private FreePorts() {}

  /** A port free for both UDP and TCP on every loopback address, as a DNS server needs. */
  public static int forDns() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket tcp = new ServerSocket()) {
        tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        port = tcp.getLocalPort();
      }
      try (DatagramSocket udp = new DatagramSocket(null)) {
        udp.bind(new InetSocketAddress("0.0.0.0", port));
        return port;
      } catch (IOException taken) {
        // Free for TCP, not for UDP: try another.
      }
    }
    throw new IOException("no port free for both UDP and TCP");
  }
}
