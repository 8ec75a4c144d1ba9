import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The live fan-out load client: N websocket readers on one or two NIO threads, then bursts of one
 * event each, every delivery timed from the trigger to its arrival. Drives a node (the trigger is a
 * POST of a comment through the API, with a session; the readers follow that thread) or the
 * reference broadcaster (the trigger is a POST to its /broadcast with the same comment) the same
 * way.
 *
 * <pre>
 * java LiveFanout.java target=node|ref connect=HOST:PORT readers=N bursts=K dir=DIR
 *     [warmup=3] [per-address=100] [io-threads=1] [sample=DIR/message.json]
 *     node: token=TOKEN [tenant=demo] [thread=live-fanout]     ref: (nothing more)
 * </pre>
 *
 * Readers connect from 127.0.0.2 upwards, per-address of them on each source address (a node
 * admits 100 live connections per address by default). Once every reader got its {@code
 * subscribed} message the client writes DIR/ready and waits for DIR/go (the bench script measures
 * the server's memory with N idle readers meanwhile), then runs the warm-up and measured bursts
 * back to back: a burst ends when every reader has the event, and the next is triggered at once.
 * Then it writes DIR/done, and closes its readers once DIR/close exists.
 *
 * <p>Prints one line: {@code lost p50_ms p99_ms first_ms rate fanout_rate gc_ms window_ms
 * trigger_ms message_bytes concurrent_gc_ms}, each the median over the measured bursts (p50 / p99
 * of the deliveries of a burst, the first delivery, N over trigger-to-last, N over first-to-last,
 * the trigger's own answer time); gc_ms is the node's GC pause time over the measured bursts'
 * window_ms, and concurrent_gc_ms its concurrent collector phases' time (node only). A node's
 * comment-posted message is kept in the sample file and its payload is what a later ref run
 * broadcasts, so both send messages of the same size.
 */
public final class LiveFanout {
  private static final byte[] POSTED = bytes("{\"type\":\"comment-posted\"");
  private static final byte[] SUBSCRIBED = bytes("{\"type\":\"subscribed\"");
  private static final int MAX_CONNECTING = 200;
  private static final String TEXT =
      "A comment about as long as a short one is: a sentence or two, posted live to every reader.";

  private final Map<String, String> options;
  private final boolean node;
  private final InetSocketAddress server;
  private final int readerCount;
  private final Path dir;
  private final String path;
  private final List<Loop> loops = new ArrayList<>();
  private final AtomicInteger subscribed = new AtomicInteger();
  private final AtomicInteger lost = new AtomicInteger();
  private final AtomicInteger delivered = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> closeReasons = new ConcurrentLinkedQueue<>();
  private volatile long[] arrivals = new long[0];
  private volatile boolean running = true;
  private final Path sample;
  private volatile boolean sampleKept;
  private volatile int messageBytes;

  private LiveFanout(Map<String, String> options) {
    this.options = options;
    this.node = option("target").equals("node");
    String[] hostPort = option("connect").split(":");
    this.server = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    this.readerCount = Integer.parseInt(option("readers"));
    this.dir = Path.of(option("dir"));
    this.sample = Path.of(options.getOrDefault("sample", dir.resolve("message.json").toString()));
    this.path =
        node
            ? "/live/v1/tenants/"
                + options.getOrDefault("tenant", "demo")
                + "/threads/"
                + options.getOrDefault("thread", "live-fanout")
            : "/live";
  }

  private String option(String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("missing " + name + "=...");
    }
    return value;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      int at = arg.indexOf('=');
      options.put(arg.substring(0, at), arg.substring(at + 1));
    }
    new LiveFanout(options).run();
  }

  private final class Reader {
    final int index;
    final InetAddress from;
    final Loop loop;
    SocketChannel channel;
    ByteBuffer in = ByteBuffer.allocate(1024);
    boolean upgraded;
    boolean isSubscribed;
    boolean gone;

    Reader(int index, InetAddress from, Loop loop) {
      this.index = index;
      this.from = from;
      this.loop = loop;
    }
  }

  /** One selector thread and the readers it owns. */
  private final class Loop implements Runnable {
    final Selector selector = Selector.open();
    final List<Reader> toConnect = new ArrayList<>();
    int next;
    int connecting;
    final ByteBuffer pong = ByteBuffer.allocate(6);

    Loop() throws IOException {}

    @Override
    public void run() {
      try {
        while (running) {
          while (next < toConnect.size() && connecting < MAX_CONNECTING) {
            connect(toConnect.get(next++));
          }
          selector.select(10);
          long now = System.nanoTime();
          for (SelectionKey key : selector.selectedKeys()) {
            Reader reader = (Reader) key.attachment();
            try {
              if (key.isConnectable()) {
                reader.channel.finishConnect();
                handshake(reader);
                key.interestOps(SelectionKey.OP_READ);
              } else if (key.isReadable()) {
                read(reader, now);
              }
            } catch (IOException | RuntimeException e) {
              gone(reader, e.getMessage());
            }
          }
          selector.selectedKeys().clear();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private void connect(Reader reader) {
      connecting++;
      try {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.bind(new InetSocketAddress(reader.from, 0));
        reader.channel = channel;
        if (channel.connect(server)) {
          handshake(reader);
          channel.register(selector, SelectionKey.OP_READ, reader);
        } else {
          channel.register(selector, SelectionKey.OP_CONNECT, reader);
        }
      } catch (IOException e) {
        gone(reader, "connect: " + e.getMessage());
      }
    }

    private void handshake(Reader reader) throws IOException {
      byte[] nonce = new byte[16];
      for (int i = 0; i < 4; i++) {
        nonce[i] = (byte) (reader.index >> (8 * i));
      }
      String request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: "
              + server.getHostString()
              + ":"
              + server.getPort()
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
              + "Sec-WebSocket-Key: "
              + Base64.getEncoder().encodeToString(nonce)
              + "\r\n\r\n";
      write(reader, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
    }

    private void read(Reader reader, long now) throws IOException {
      if (!reader.in.hasRemaining()) {
        ByteBuffer bigger = ByteBuffer.allocate(reader.in.capacity() * 2);
        reader.in.flip();
        bigger.put(reader.in);
        reader.in = bigger;
      }
      if (reader.channel.read(reader.in) < 0) {
        throw new IOException("closed by the server");
      }
      ByteBuffer in = reader.in;
      in.flip();
      if (!reader.upgraded) {
        int end = headerEnd(in);
        if (end < 0) {
          in.compact();
          return;
        }
        String head = StandardCharsets.US_ASCII.decode(in.slice(in.position(), end)).toString();
        if (!head.startsWith("HTTP/1.1 101")) {
          throw new IOException("not upgraded: " + head.lines().findFirst().orElse(""));
        }
        in.position(in.position() + end + 4);
        reader.upgraded = true;
      }
      while (frame(reader, in, now)) {
        // every whole frame in the buffer
      }
      in.compact();
    }

    /** Handles one whole frame if the buffer holds one. */
    private boolean frame(Reader reader, ByteBuffer in, long now) throws IOException {
      if (in.remaining() < 2) {
        return false;
      }
      int start = in.position();
      int opcode = in.get(start) & 0x0F;
      long length = in.get(start + 1) & 0x7F;
      int header = 2;
      if (length == 126) {
        if (in.remaining() < 4) {
          return false;
        }
        length = in.getShort(start + 2) & 0xFFFF;
        header = 4;
      } else if (length == 127) {
        if (in.remaining() < 10) {
          return false;
        }
        length = in.getLong(start + 2);
        header = 10;
      }
      if (in.remaining() < header + length) {
        return false;
      }
      int payload = start + header;
      in.position((int) (payload + length));
      switch (opcode) {
        case 1 -> text(reader, in, payload, (int) length, now);
        case 8 -> {
          int code = length >= 2 ? in.getShort(payload) & 0xFFFF : 0;
          String reason =
              length > 2
                  ? StandardCharsets.UTF_8
                      .decode(in.slice(payload + 2, (int) length - 2))
                      .toString()
                  : "";
          throw new IOException("close " + code + " " + reason);
        }
        case 9 -> pong(reader); // the node pings every 25 s and closes a silent reader after 60 s
        default -> {}
      }
      return true;
    }

    private void text(Reader reader, ByteBuffer in, int at, int length, long now)
        throws IOException {
      if (startsWith(in, at, length, POSTED)) {
        long[] times = arrivals;
        int i = delivered.getAndIncrement();
        if (i < times.length) {
          times[i] = now;
        }
        if (!sampleKept) {
          sampleKept = true;
          messageBytes = length;
          if (node) {
            byte[] message = new byte[length];
            in.get(at, message);
            Files.write(sample, message);
          }
        }
      } else if (startsWith(in, at, length, SUBSCRIBED) && !reader.isSubscribed) {
        reader.isSubscribed = true;
        connecting--;
        subscribed.incrementAndGet();
      }
    }

    /** An empty pong, masked as every client frame must be (the mask is zero: any mask will do). */
    private void pong(Reader reader) throws IOException {
      pong.clear();
      pong.put((byte) 0x8A).put((byte) 0x80).putInt(0).flip();
      write(reader, pong);
    }

    private void write(Reader reader, ByteBuffer out) throws IOException {
      for (int spins = 0; out.hasRemaining(); spins++) {
        if (reader.channel.write(out) == 0 && spins > 1000) {
          throw new IOException("the server does not read");
        }
      }
    }

    private void gone(Reader reader, String why) {
      if (reader.gone) {
        return;
      }
      reader.gone = true;
      if (!reader.isSubscribed) {
        connecting--;
      }
      lost.incrementAndGet();
      closeReasons.add(why);
      try {
        if (reader.channel != null) {
          reader.channel.close();
        }
      } catch (IOException ignored) {
        // closing a dead socket
      }
    }

    void closeAll() {
      for (Reader reader : toConnect) {
        try {
          if (reader.channel != null) {
            reader.channel.close();
          }
        } catch (IOException ignored) {
          // closing at the end
        }
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static boolean startsWith(ByteBuffer in, int at, int length, byte[] prefix) {
    if (length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (in.get(at + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int headerEnd(ByteBuffer in) {
    for (int i = in.position(); i + 3 < in.limit(); i++) {
      if (in.get(i) == '\r'
          && in.get(i + 1) == '\n'
          && in.get(i + 2) == '\r'
          && in.get(i + 3) == '\n') {
        return i - in.position();
      }
    }
    return -1;
  }

  private void run() throws Exception {
    int perAddress = Integer.parseInt(options.getOrDefault("per-address", "100"));
    int ioThreads = Integer.parseInt(options.getOrDefault("io-threads", "1"));
    int bursts = Integer.parseInt(option("bursts"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "3"));
    for (int i = 0; i < ioThreads; i++) {
      loops.add(new Loop());
    }
    for (int i = 0; i < readerCount; i++) {
      int address = 2 + i / perAddress;
      InetAddress from =
          InetAddress.getByAddress(new byte[] {127, 0, (byte) (address >> 8), (byte) address});
      Loop loop = loops.get(i % ioThreads);
      loop.toConnect.add(new Reader(i, from, loop));
    }
    long connectStart = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < loops.size(); i++) {
      threads.add(Thread.ofPlatform().name("fanout-io-" + i).start(loops.get(i)));
    }
    while (subscribed.get() + lost.get() < readerCount) {
      if (System.nanoTime() - connectStart > 300_000_000_000L) {
        fail("only " + subscribed.get() + " of " + readerCount + " readers subscribed in 300 s");
      }
      Thread.sleep(20);
    }
    if (lost.get() > 0) {
      fail(lost.get() + " readers could not subscribe, e.g. " + closeReasons.peek());
    }
    log(
        "%d readers subscribed in %.1f s",
        readerCount, (System.nanoTime() - connectStart) / 1e9);
    Files.writeString(dir.resolve("ready"), "");
    while (!Files.exists(dir.resolve("go"))) {
      Thread.sleep(20);
    }

    HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    HttpRequest trigger = trigger();
    double[][] figures = new double[bursts][];
    double gcBefore = 0;
    double concurrentBefore = 0;
    long windowStart = 0;
    for (int burst = -warmup; burst < bursts; burst++) {
      if (burst == 0 && node) {
        gcBefore = gcSeconds(http, "jvm_gc_pause_seconds_sum");
        concurrentBefore = gcSeconds(http, "jvm_gc_concurrent_phase_time_seconds_sum");
      }
      long[] times = new long[readerCount];
      arrivals = times;
      delivered.set(0);
      long t0 = System.nanoTime();
      if (burst == 0) {
        windowStart = t0;
      }
      HttpResponse<String> answer = http.send(trigger, HttpResponse.BodyHandlers.ofString());
      long answered = System.nanoTime();
      if (answer.statusCode() / 100 != 2) {
        fail("trigger answered " + answer.statusCode() + ": " + answer.body());
      }
      long deadline = t0 + 60_000_000_000L;
      while (delivered.get() < readerCount - lost.get()) {
        if (System.nanoTime() > deadline) {
          fail(delivered.get() + " of " + readerCount + " deliveries in 60 s");
        }
        // Not a spin: the servers and the reading loops need the cores more than this check.
        LockSupport.parkNanos(500_000);
      }
      if (lost.get() > 0) {
        fail(lost.get() + " readers lost, e.g. " + closeReasons.peek());
      }
      Arrays.sort(times);
      double first = (times[0] - t0) / 1e6;
      double last = (times[readerCount - 1] - t0) / 1e6;
      double[] f = {
        (times[readerCount / 2] - t0) / 1e6,
        (times[(int) Math.ceil(readerCount * 0.99) - 1] - t0) / 1e6,
        first,
        readerCount / (last / 1e3),
        readerCount / Math.max(last - first, 1e-3) * 1e3,
        (answered - t0) / 1e6
      };
      log(
          "%s burst %d: p50 %.2f p99 %.2f first %.2f last %.2f ms, %.0f deliveries/s (%.0f/s"
              + " after the first), trigger answered in %.2f ms",
          burst < 0 ? "warm-up" : "measured", burst, f[0], f[1], f[2], last, f[3], f[4], f[5]);
      if (burst >= 0) {
        figures[burst] = f;
      }
    }
    long windowEnd = System.nanoTime();
    double gcMillis = 0;
    double concurrentMillis = 0;
    if (node) {
      Thread.sleep(100); // the node's GC meters are updated just after each pause
      gcMillis = (gcSeconds(http, "jvm_gc_pause_seconds_sum") - gcBefore) * 1e3;
      concurrentMillis =
          (gcSeconds(http, "jvm_gc_concurrent_phase_time_seconds_sum") - concurrentBefore) * 1e3;
    }
    // The readers stay connected until DIR/close, so that a profile of the bursts can be cut
    // before the close of N connections.
    Files.writeString(dir.resolve("done"), "");
    while (!Files.exists(dir.resolve("close"))) {
      Thread.sleep(20);
    }
    running = false;
    for (Thread thread : threads) {
      thread.join(5_000);
    }
    loops.forEach(Loop::closeAll);
    System.out.printf(
        "%d %.2f %.2f %.2f %.0f %.0f %.1f %.1f %.2f %d %.1f%n",
        lost.get(),
        median(figures, 0),
        median(figures, 1),
        median(figures, 2),
        median(figures, 3),
        median(figures, 4),
        gcMillis,
        (windowEnd - windowStart) / 1e6,
        median(figures, 5),
        messageBytes,
        concurrentMillis);
  }

  /** The request that makes the server send one event to every reader. */
  private HttpRequest trigger() throws IOException {
    String base = "http://" + server.getHostString() + ":" + server.getPort();
    if (node) {
      return HttpRequest.newBuilder(
              URI.create(
                  base
                      + "/api/v1/tenants/"
                      + options.getOrDefault("tenant", "demo")
                      + "/threads/"
                      + options.getOrDefault("thread", "live-fanout")
                      + "/comments"))
          .header("Content-Type", "application/json")
          .header("Authorization", "Bearer " + option("token"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + TEXT + "\"}"))
          .build();
    }
    // The payload of the node's own comment-posted message, so both send the same bytes' worth.
    String comment;
    if (Files.exists(sample)) {
      String message = Files.readString(sample);
      comment =
          message.substring(
              message.indexOf("\"payload\":") + "\"payload\":".length(), message.lastIndexOf('}'));
    } else {
      comment = "{\"id\":\"0\",\"text\":\"" + TEXT + "\"}";
    }
    return HttpRequest.newBuilder(URI.create(base + "/broadcast"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(comment))
        .build();
  }

  /** A sum of the node's GC meters ({@code name}), over every collector and cause. */
  private double gcSeconds(HttpClient http, String name) throws Exception {
    URI uri = URI.create("http://" + server.getHostString() + ":" + server.getPort() + "/metrics");
    String metrics =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    return metrics
        .lines()
        .filter(line -> line.startsWith(name + "{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static double median(double[][] figures, int column) {
    double[] values = Arrays.stream(figures).mapToDouble(f -> f[column]).sorted().toArray();
    return values[values.length / 2];
  }

  private static void log(String format, Object... args) {
    System.err.printf("fanout: " + format + "%n", args);
  }

  private static void fail(String message) {
    System.err.println("fanout: " + message);
    System.exit(1);
  }
}
