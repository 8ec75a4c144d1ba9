package dev.comments.edge.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.undertow.server.DefaultByteBufferPool;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/** The outlet on real sockets: a plain TCP client plays the browser, reading only when told. */
class WebSocketOutletTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int SMALL_BUFFER = 4096;

  private static final AtomicInteger idleMillis = new AtomicInteger(60_000);
  private static XnioWorker worker;
  private static AcceptingChannel<StreamConnection> server;
  private static final ConcurrentLinkedQueue<CompletableFuture<Accepted>> waiting =
      new ConcurrentLinkedQueue<>();

  /** A connection the server took, with what its outlet told. */
  private record Accepted(WebSocketOutlet outlet, List<String> texts, AtomicBoolean closed) {}

  @BeforeAll
  static void listen() throws IOException {
    worker =
        Xnio.getInstance(WebSocketOutletTest.class.getClassLoader())
            .createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
    server =
        worker.createStreamConnectionServer(
            new InetSocketAddress("127.0.0.1", 0),
            channel -> {
              try {
                StreamConnection connection;
                while ((connection = channel.accept()) != null) {
                  connection.setOption(Options.SEND_BUFFER, SMALL_BUFFER);
                  WebSocketOutlet outlet =
                      new WebSocketOutlet(
                          connection,
                          new DefaultByteBufferPool(false, 1024),
                          4096,
                          TimeUnit.MILLISECONDS.toNanos(idleMillis.get()));
                  List<String> texts = new ArrayList<>();
                  AtomicBoolean closed = new AtomicBoolean();
                  outlet.start(
                      new WebSocketOutlet.Events() {
                        @Override
                        public void text(byte[] utf8) {
                          texts.add(new String(utf8, StandardCharsets.UTF_8));
                        }

                        @Override
                        public void closed() {
                          closed.set(true);
                        }
                      });
                  waiting.poll().complete(new Accepted(outlet, texts, closed));
                }
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            OptionMap.EMPTY);
    server.resumeAccepts();
  }

  @AfterAll
  static void stop() throws IOException {
    server.close();
    worker.shutdownNow();
  }

  /** A client whose socket holds little, so that the server's writes soon stop fitting. */
  private static Socket client(CompletableFuture<Accepted> accepted) throws IOException {
    waiting.add(accepted);
    Socket socket = new Socket();
    socket.setReceiveBufferSize(SMALL_BUFFER);
    socket.connect(server.getLocalAddress(InetSocketAddress.class));
    socket.setSoTimeout((int) WAIT.toMillis());
    return socket;
  }

  /** One server frame: its first byte, then its payload. */
  private record Frame(int first, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  private static Frame readFrame(DataInputStream in) throws IOException {
    int first = in.readUnsignedByte();
    int second = in.readUnsignedByte();
    assertThat(second & 0x80).as("a server's frames are unmasked").isZero();
    long length = second & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[Math.toIntExact(length)];
    in.readFully(payload);
    return new Frame(first, payload);
  }

  private static void onIoThread(WebSocketOutlet outlet, Runnable task) throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    outlet
        .ioThread()
        .execute(
            () -> {
              task.run();
              ran.countDown();
            });
    assertThat(ran.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
  }

  private static int opcodeAndCode(Frame close) {
    return (close.first() << 16) | ((close.payload()[0] & 0xFF) << 8) | (close.payload()[1] & 0xFF);
  }

  private static LiveFrame message(int n) {
    return LiveFrame.of(
        ("{\"n\":" + n + ",\"pad\":\"" + "p".repeat(70_000) + "\"}")
            .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void a_write_the_socket_cannot_take_whole_is_queued_and_resumed_in_order() throws Exception {
    CompletableFuture<Accepted> accepted = new CompletableFuture<>();
    try (Socket socket = client(accepted)) {
      WebSocketOutlet outlet = accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS).outlet();
      int count = 40;
      AtomicInteger written = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      LiveFrame shared = message(-1);
      onIoThread(
          outlet,
          () -> {
            for (int n = 0; n < count; n++) {
              // Every other message is one frame shared by all its sends.
              outlet.send(
                  n % 2 == 0 ? shared : message(n),
                  "comment-posted",
                  null,
                  ok -> (ok ? written : failed).incrementAndGet());
            }
          });
      assertThat(written.get()).as("2.8 MB do not fit a 4 KiB socket at once").isLessThan(count);

      DataInputStream in = new DataInputStream(socket.getInputStream());
      for (int n = 0; n < count; n++) {
        Frame frame = readFrame(in);
        assertThat(frame.first()).isEqualTo(0x81);
        assertThat(frame.text()).isEqualTo(message(n % 2 == 0 ? -1 : n).json());
      }
      await().atMost(WAIT).until(() -> written.get() == count);
      assertThat(failed.get()).isZero();
    }
  }

  @Test
  void a_small_shared_frame_the_socket_takes_in_part_is_resumed_from_where_it_stopped()
      throws Exception {
    CompletableFuture<Accepted> accepted = new CompletableFuture<>();
    try (Socket socket = client(accepted)) {
      WebSocketOutlet outlet = accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS).outlet();
      int count = 3000;
      AtomicInteger written = new AtomicInteger();
      LiveFrame[] shared = {small(0), small(1)};
      onIoThread(
          outlet,
          () -> {
            for (int n = 0; n < count; n++) {
              outlet.send(shared[n % 2], "comment-posted", null, ok -> written.incrementAndGet());
            }
          });
      assertThat(written.get()).as("3 MB do not fit a 4 KiB socket at once").isLessThan(count);

      DataInputStream in = new DataInputStream(socket.getInputStream());
      for (int n = 0; n < count; n++) {
        assertThat(readFrame(in).text()).isEqualTo(shared[n % 2].json());
      }
      await().atMost(WAIT).until(() -> written.get() == count);
    }
  }

  private static LiveFrame small(int n) {
    return LiveFrame.of(
        ("{\"n\":" + n + ",\"pad\":\"" + "s".repeat(1000 + n) + "\"}")
            .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void a_reader_that_never_reads_holds_only_what_was_sent_and_one_pong() throws Exception {
    CompletableFuture<Accepted> accepted = new CompletableFuture<>();
    try (Socket socket = client(accepted)) {
      WebSocketOutlet outlet = accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS).outlet();
      AtomicInteger written = new AtomicInteger();
      onIoThread(
          outlet,
          () -> {
            for (int n = 0; n < 20; n++) {
              outlet.send(message(n), "comment-posted", null, ok -> written.incrementAndGet());
            }
          });
      OutputStream out = socket.getOutputStream();
      for (int i = 0; i < 500; i++) {
        out.write(
            FrameReaderTest.clientFrame(
                0x89, "are you there".getBytes(StandardCharsets.UTF_8), true));
        if (i % 100 == 0) {
          onIoThread(outlet, outlet::ping);
        }
      }
      out.flush();
      // Every ping the client sent was read before the client reads anything.
      out.write(FrameReaderTest.text("{\"type\":\"marker\"}"));
      await().atMost(WAIT).until(() -> !accepted.get().texts().isEmpty());

      DataInputStream in = new DataInputStream(socket.getInputStream());
      for (int n = 0; n < 20; n++) {
        assertThat(readFrame(in).text()).isEqualTo(message(n).json());
      }
      Frame pong = readFrame(in);
      assertThat(pong.first()).isEqualTo(0x8A);
      assertThat(pong.text()).isEqualTo("are you there");
      await().atMost(WAIT).until(() -> written.get() == 20);
      // Nothing else was held: the answer to a new ping comes next.
      out.write(FrameReaderTest.clientFrame(0x89, "last".getBytes(StandardCharsets.UTF_8), true));
      Frame last = readFrame(in);
      assertThat(last.first()).isEqualTo(0x8A);
      assertThat(last.text()).isEqualTo("last");
    }
  }

  @Test
  void a_client_close_is_answered_with_its_code_and_the_connection_cut() throws Exception {
    CompletableFuture<Accepted> accepted = new CompletableFuture<>();
    try (Socket socket = client(accepted)) {
      Accepted server = accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      socket
          .getOutputStream()
          .write(FrameReaderTest.clientFrame(0x88, new byte[] {0x0F, (byte) 0xA0}, true));

      DataInputStream in = new DataInputStream(socket.getInputStream());
      assertThat(opcodeAndCode(readFrame(in))).isEqualTo(0x88_0FA0);
      assertThat(in.read()).as("cut after the close").isEqualTo(-1);
      assertThat(server.closed()).isTrue();
    }
  }

  @Test
  void a_client_silent_for_the_idle_timeout_is_cut() throws Exception {
    idleMillis.set(300);
    CompletableFuture<Accepted> accepted = new CompletableFuture<>();
    try (Socket socket = client(accepted)) {
      Accepted server = accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      idleMillis.set(60_000);
      socket.getOutputStream().write(FrameReaderTest.clientFrame(0x8A, new byte[0], true));

      assertThat(socket.getInputStream().read()).isEqualTo(-1);
      await().atMost(WAIT).untilTrue(server.closed());
    } finally {
      idleMillis.set(60_000);
    }
  }

  @Test
  void a_refused_frame_is_answered_by_a_close_with_its_code() throws Exception {
    CompletableFuture<Accepted> accepted = new CompletableFuture<>();
    try (Socket socket = client(accepted)) {
      Accepted server = accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      socket.getOutputStream().write(FrameReaderTest.clientFrame(0x82, new byte[] {1}, true));

      assertThat(opcodeAndCode(readFrame(new DataInputStream(socket.getInputStream()))))
          .isEqualTo((0x88 << 16) | 1003);
      await().atMost(WAIT).until(() -> server.closed().get());
    }
  }
}
