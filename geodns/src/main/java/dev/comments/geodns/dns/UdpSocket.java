package dev.comments.geodns.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;

/** One bound UDP socket of the listener, and the loop of the one thread that serves it. */
sealed interface UdpSocket permits ChannelSocket, BatchedSocket {
  /** What a received datagram gets: the response to send back to its source, or nothing. */
  @FunctionalInterface
  interface Responder {
    /**
     * @param oversized the datagram was longer than {@link UdpListener#MAX_DATAGRAM} and {@code
     *     query} holds only its start
     */
    Optional<byte[]> respond(byte[] query, InetAddress source, boolean oversized);
  }

  int port() throws IOException;

  /** Receives and answers until {@link #stop}; runs on the socket's own thread. */
  void serve(Responder responder);

  /** Makes {@link #serve} return soon, waking it if it is blocked. */
  void stop();

  /** Frees the socket once its thread has returned (or never started). */
  void release();
}
