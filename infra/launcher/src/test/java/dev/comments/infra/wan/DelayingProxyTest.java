package dev.comments.infra.wan;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DelayingProxyTest {
  /** Long enough that a test which never waits cannot fail by accident, short enough to hang. */
  private static final int READ_TIMEOUT_MS = 10_000;

  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private ServerSocket target;
  private final List<DelayingProxy> proxies = new ArrayList<>();

  @BeforeEach
  void start_an_echo_server() throws IOException {
    ServerSocket echo = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    target = echo;
    threads.execute(() -> echo(echo));
  }

  @AfterEach
  void stop() throws IOException {
    proxies.forEach(DelayingProxy::close);
    target.close();
    threads.shutdownNow();
  }

  @ParameterizedTest(name = "{0} ms each way")
  @ValueSource(ints = {0, 100})
  void round_trip_takes_at_least_twice_the_one_way_delay(int oneWayMs) throws Exception {
    DelayingProxy proxy = proxy(Duration.ofMillis(oneWayMs));

    try (Socket client = connect(proxy)) {
      long start = System.nanoTime();
      client.getOutputStream().write("ping".getBytes(UTF_8));

      assertThat(new String(client.getInputStream().readNBytes(4), UTF_8)).isEqualTo("ping");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(2L * oneWayMs));
    }
  }

  @ParameterizedTest(name = "{0} ms each way")
  @ValueSource(ints = {0, 20})
  void carries_five_megabytes_byte_identical_and_in_order_past_a_half_close(int oneWayMs)
      throws Exception {
    DelayingProxy proxy = proxy(Duration.ofMillis(oneWayMs));
    byte[] sent = new byte[5 * 1024 * 1024];
    new Random(42).nextBytes(sent);

    try (Socket client = connect(proxy)) {
      // The client half-closes while the echo is still on its way back, which must still arrive.
      Future<?> writing =
          threads.submit(
              () -> {
                OutputStream out = client.getOutputStream();
                for (int i = 0; i < sent.length; i += 10_000) {
                  out.write(sent, i, Math.min(10_000, sent.length - i));
                }
                client.shutdownOutput();
                return null;
              });
      byte[] received = client.getInputStream().readAllBytes();

      writing.get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      assertThat(received).hasSameSizeAs(sent);
      assertThat(received).isEqualTo(sent);
    }
  }

  @Test
  void passes_a_half_close_from_the_target_on_and_still_carries_the_client_s_bytes()
      throws Exception {
    target.close();
    target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    CompletableFuture<String> heard = new CompletableFuture<>();
    threads.execute(
        () -> {
          try (Socket socket = target.accept()) {
            socket.getOutputStream().write("bye".getBytes(UTF_8));
            socket.shutdownOutput();
            heard.complete(new String(socket.getInputStream().readAllBytes(), UTF_8));
          } catch (IOException e) {
            heard.completeExceptionally(e);
          }
        });
    DelayingProxy proxy = proxy(Duration.ofMillis(20));

    try (Socket client = connect(proxy)) {
      assertThat(new String(client.getInputStream().readAllBytes(), UTF_8)).isEqualTo("bye");
      client.getOutputStream().write("still here".getBytes(UTF_8));
      client.shutdownOutput();

      assertThat(heard.get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS)).isEqualTo("still here");
    }
  }

  @Test
  void serves_many_connections_at_once_each_with_its_own_bytes() throws Exception {
    DelayingProxy proxy = proxy(Duration.ofMillis(50));

    List<Future<String>> answers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String message = "connection " + i;
      answers.add(
          threads.submit(
              () -> {
                try (Socket client = connect(proxy)) {
                  client.getOutputStream().write(message.getBytes(UTF_8));
                  client.shutdownOutput();
                  return new String(client.getInputStream().readAllBytes(), UTF_8);
                }
              }));
    }

    for (int i = 0; i < answers.size(); i++) {
      assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("connection " + i);
    }
  }

  @Test
  void closes_the_client_when_the_target_refuses_the_connection() throws Exception {
    target.close();
    DelayingProxy proxy = proxy(Duration.ofMillis(50));

    try (Socket client = connect(proxy)) {
      assertThat(readsToTheEnd(client)).isTrue();
    }
  }

  @Test
  void close_closes_open_connections_and_stops_listening() throws Exception {
    DelayingProxy proxy = proxy(Duration.ofMillis(20));
    try (Socket client = connect(proxy)) {
      client.getOutputStream().write("up".getBytes(UTF_8));
      assertThat(client.getInputStream().readNBytes(2)).isEqualTo("up".getBytes(UTF_8));

      proxy.close();

      assertThat(readsToTheEnd(client)).isTrue();
      assertThatThrownBy(() -> connect(proxy)).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void says_where_it_listens_and_how_long_it_delays() throws Exception {
    DelayingProxy proxy = proxy(Duration.ofMillis(30));

    assertThat(proxy.address().getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
    assertThat(proxy.address().getPort()).isPositive();
    assertThat(proxy.oneWay()).isEqualTo(Duration.ofMillis(30));
  }

  private DelayingProxy proxy(Duration oneWay) throws IOException {
    DelayingProxy proxy =
        DelayingProxy.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            new InetSocketAddress(InetAddress.getLoopbackAddress(), target.getLocalPort()),
            oneWay);
    proxies.add(proxy);
    return proxy;
  }

  private static Socket connect(DelayingProxy proxy) throws IOException {
    Socket socket = new Socket();
    socket.connect(proxy.address(), READ_TIMEOUT_MS);
    socket.setSoTimeout(READ_TIMEOUT_MS);
    return socket;
  }

  /**
   * Whether the peer ended the connection: EOF or a reset. A read that times out instead means the
   * connection was left hanging.
   */
  private static boolean readsToTheEnd(Socket client) throws IOException {
    try {
      return client.getInputStream().read() == -1;
    } catch (SocketTimeoutException hanging) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** Echoes each connection until its EOF, then half-closes: what the proxy must carry. */
  private void echo(ServerSocket server) {
    while (true) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException closed) {
        return;
      }
      threads.execute(
          () -> {
            try (socket) {
              InputStream in = socket.getInputStream();
              OutputStream out = socket.getOutputStream();
              in.transferTo(out);
              socket.shutdownOutput();
            } catch (IOException ignored) {
              // The test closed the connection first.
            }
          });
    }
  }
}
