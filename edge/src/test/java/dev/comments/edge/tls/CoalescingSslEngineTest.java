package dev.comments.edge.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native listener's engine against the JDK's client engine, in memory: what the server wraps is
 * counted in TLS records and opened by the client.
 */
class CoalescingSslEngineTest {
  @TempDir Path dir;

  private NodeTls tls;
  private SSLEngine server;
  private SSLEngine client;

  @BeforeEach
  void handshake() throws Exception {
    Certificates.selfSigned(List.of("localhost"), List.of(InetAddress.ofLiteral("127.0.0.1")))
        .writeTo(dir);
    tls =
        NodeTls.start(
            TlsSettings.of(
                    0,
                    dir.resolve(Certificates.CERTIFICATE_FILE),
                    dir.resolve(Certificates.PRIVATE_KEY_FILE),
                    Optional.empty())
                .withEngine(TlsSettings.Engine.NATIVE));
    server = tls.listenerContext().createSSLEngine();
    server.setUseClientMode(false);
    client = TlsEdgeTest.trusting(List.of(tls.certificate())).createSSLEngine("localhost", 443);
    client.setUseClientMode(true);
    client.setSSLParameters(tls.clientParameters());
    ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
    ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
    ByteBuffer ignored = ByteBuffer.allocate(1 << 17);
    client.beginHandshake();
    server.beginHandshake();
    for (int step = 0; step < 100 && !(done(client) && done(server)); step++) {
      pump(client, toServer, server, ignored);
      pump(server, toClient, client, ignored);
    }
    assertThat(done(client) && done(server)).as("handshake finished").isTrue();
    // BoringSSL sends its TLS 1.3 session tickets with the first application data: out of the way.
    server.wrap(ByteBuffer.wrap(new byte[] {0}), toClient);
    toClient.flip();
    assertThat(open(toClient)).containsExactly(0);
    assertThat(server).isInstanceOf(CoalescingSslEngine.class);
  }

  @AfterEach
  void close() {
    tls.close();
  }

  @Test
  void an_http2_frame_header_and_its_payload_go_out_as_one_record() throws SSLException {
    byte[] header = bytes(9, 1);
    byte[] payload = bytes(2_754, 2);

    ByteBuffer[] frame = {ByteBuffer.wrap(header), ByteBuffer.wrap(payload)};
    ByteBuffer wire = ByteBuffer.allocate(1 << 16);
    SSLEngineResult result = server.wrap(frame, 0, 2, wire);

    assertThat(result.bytesConsumed()).isEqualTo(9 + 2_754);
    assertThat(frame[0].hasRemaining() || frame[1].hasRemaining()).isFalse();
    assertThat(records(wire.flip())).isEqualTo(1);
    assertThat(open(wire)).isEqualTo(concat(header, payload));
  }

  @Test
  void buffers_beyond_a_record_are_left_for_the_next_wrap_where_the_first_ended() throws Exception {
    byte[] header = bytes(9, 3);
    byte[] headers = bytes(120, 4);
    byte[] payload = bytes(20_000, 5);
    ByteBuffer[] srcs = {
      ByteBuffer.allocate(0),
      ByteBuffer.wrap(header),
      ByteBuffer.wrap(headers),
      ByteBuffer.wrap(payload)
    };

    ByteBuffer wire = ByteBuffer.allocate(1 << 17);
    SSLEngineResult first = server.wrap(srcs, 0, srcs.length, wire);

    assertThat(first.bytesConsumed()).isEqualTo(CoalescingSslEngine.RECORD);
    assertThat(srcs[3].position()).isEqualTo(CoalescingSslEngine.RECORD - 9 - 120);
    SSLEngineResult second = server.wrap(srcs, 0, srcs.length, wire);
    assertThat(second.bytesConsumed()).isEqualTo(9 + 120 + 20_000 - CoalescingSslEngine.RECORD);
    assertThat(srcs[3].hasRemaining()).isFalse();
    assertThat(records(wire.flip())).isEqualTo(2);
    assertThat(open(wire)).isEqualTo(concat(header, concat(headers, payload)));
  }

  @Test
  void a_destination_too_small_consumes_nothing() throws SSLException {
    ByteBuffer[] srcs = {ByteBuffer.wrap(bytes(9, 6)), ByteBuffer.wrap(bytes(500, 7))};

    SSLEngineResult result = server.wrap(srcs, 0, 2, ByteBuffer.allocate(100));

    assertThat(result.getStatus()).isEqualTo(SSLEngineResult.Status.BUFFER_OVERFLOW);
    assertThat(result.bytesConsumed()).isZero();
    assertThat(srcs[0].position()).isZero();
    assertThat(srcs[1].position()).isZero();
  }

  /** The TLS records in {@code wire}, by their 5-byte headers; the buffer is left as it was. */
  private static int records(ByteBuffer wire) {
    int count = 0;
    for (int at = wire.position(); at < wire.limit(); count++) {
      at += 5 + (((wire.get(at + 3) & 0xff) << 8) | (wire.get(at + 4) & 0xff));
    }
    return count;
  }

  private byte[] open(ByteBuffer wire) throws SSLException {
    ByteBuffer out = ByteBuffer.allocate(1 << 17);
    while (wire.hasRemaining()) {
      SSLEngineResult result = client.unwrap(wire, out);
      if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
        break;
      }
    }
    out.flip();
    byte[] bytes = new byte[out.remaining()];
    out.get(bytes);
    return bytes;
  }

  private static boolean done(SSLEngine engine) {
    SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
    return status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
        || status == SSLEngineResult.HandshakeStatus.FINISHED;
  }

  /**
   * Lets {@code from} wrap what it has to say into {@code wire} and {@code to} read what it can,
   * running delegated tasks; what {@code to} does not read yet stays in {@code wire}.
   */
  private static void pump(SSLEngine from, ByteBuffer wire, SSLEngine to, ByteBuffer plain)
      throws SSLException {
    for (int i = 0; i < 10; i++) {
      runTasks(from);
      SSLEngineResult result = from.wrap(ByteBuffer.allocate(0), wire);
      runTasks(from);
      if (result.bytesProduced() == 0
          && from.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
        break;
      }
    }
    wire.flip();
    while (wire.hasRemaining()) {
      SSLEngineResult result = to.unwrap(wire, plain);
      runTasks(to);
      if (result.bytesConsumed() == 0) {
        break;
      }
    }
    wire.compact();
  }

  private static void runTasks(SSLEngine engine) {
    for (Runnable task = engine.getDelegatedTask();
        task != null;
        task = engine.getDelegatedTask()) {
      task.run();
    }
  }

  private static byte[] bytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = new byte[a.length + b.length];
    System.arraycopy(a, 0, joined, 0, a.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }
}
