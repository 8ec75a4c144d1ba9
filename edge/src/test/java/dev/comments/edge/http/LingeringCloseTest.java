package dev.comments.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real Undertow that refuses a body after its first 64 KiB, and a client that keeps sending 64
 * MiB (with a declared length, and chunked) while it reads: the client gets the 413.
 */
class LingeringCloseTest {
  private static final long SENT = 64L << 20;

  private Undertow server;
  private int port;

  @BeforeEach
  void start() {
    LingeringClose refusal = new LingeringClose(512 * 1024, Duration.ofSeconds(5));
    server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 2L << 20)
            .setHandler(
                new Blocking(
                    exchange -> {
                      exchange.setMaxEntitySize(Long.MAX_VALUE); // as the upload route does
                      exchange.startBlocking();
                      exchange.getInputStream().readNBytes(64 * 1024);
                      refusal.refuse(
                          exchange,
                          new CommandRejectedException(Rejection.MEDIA_TOO_LARGE, "too large"));
                    }))
            .build();
    server.start();
    port = ((InetSocketAddress) server.getListenerInfo().getFirst().getAddress()).getPort();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void a_client_still_sending_a_declared_body_reads_the_refusal() throws Exception {
    assertThat(refusalSeenBy(false)).startsWith("HTTP/1.1 413").contains("media_too_large");
  }

  @Test
  void a_client_still_sending_a_chunked_body_reads_the_refusal() throws Exception {
    assertThat(refusalSeenBy(true)).startsWith("HTTP/1.1 413").contains("media_too_large");
  }

  @Test
  void the_refusal_closes_the_connection() throws Exception {
    assertThat(refusalSeenBy(true)).containsIgnoringCase("connection: close");
  }

  /** The answer's head and body, read while another thread sends {@link #SENT} bytes. */
  private String refusalSeenBy(boolean chunked) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /upload HTTP/1.1\r\nHost: localhost\r\n"
                  + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + SENT)
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      AtomicLong sent = new AtomicLong();
      Thread sender =
          Thread.ofVirtual()
              .start(
                  () -> {
                    byte[] piece = new byte[64 * 1024];
                    try {
                      while (sent.get() < SENT) {
                        if (chunked) {
                          out.write("10000\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                        out.write(piece);
                        if (chunked) {
                          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                        sent.addAndGet(piece.length);
                      }
                    } catch (IOException closedByTheServer) {
                      // Expected once the server has answered and lingered.
                    }
                  });
      InputStream in = socket.getInputStream();
      StringBuilder answer = new StringBuilder();
      int length = -1;
      for (String line = line(in); !line.isEmpty(); line = line(in)) {
        answer.append(line).append('\n');
        if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      answer.append(new String(in.readNBytes(length), StandardCharsets.UTF_8));
      socket.close();
      sender.join(Duration.ofSeconds(10));
      return answer.toString();
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("closed before the end of the answer's head: " + line);
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
