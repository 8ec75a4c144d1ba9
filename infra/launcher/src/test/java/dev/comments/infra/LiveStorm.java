package dev.comments.infra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many websocket readers from one thread, for reconnect storms: each connects from one of several
 * loopback addresses, follows a thread, and when its connection is lost reconnects after a jittered
 * exponential back-off (full jitter, 250 ms doubling to 8 s), resuming from its last position. Only
 * what a storm needs of the protocol: the handshake, unmasked text frames from the server, and
 * close.
 */
public final class LiveStorm implements AutoCloseable {
  private static final long BASE_DELAY_MS = 250;
  private static final long MAX_DELAY_MS = 8_000;

  private final InetSocketAddress node;
  private final Selector selector;
  private final List<Reader> readers = new ArrayList<>();
  private final PriorityQueue<Reader> due =
      new PriorityQueue<>((a, b) -> Long.compare(a.dueAt, b.dueAt));
  private final AtomicInteger subscribed = new AtomicInteger();
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger reconnects = new AtomicInteger();

  private final Thread loop;
  private volatile boolean running = true;

  private static final class Reader {
    final int index;
    final String path;
    final InetAddress from;
    SocketChannel channel;
    ByteBuffer in = ByteBuffer.allocate(4096);
    boolean upgraded;
    boolean isSubscribed;
    long position = -2;
    int failures;
    long dueAt;

    Reader(int index, String path, InetAddress from) {
      this.index = index;
      this.path = path;
      this.from = from;
    }
  }

  /**
   * @param threads how many threads the readers spread over
   * @param perAddress how many readers share one loopback source address (127.0.0.2 and up)
   */
  public LiveStorm(InetSocketAddress node, String tenant, int count, int threads, int perAddress)
      throws IOException {
    this.node = node;
    this.selector = Selector.open();
    for (int i = 0; i < count; i++) {
      int address = 2 + i / perAddress;
      InetAddress from =
          InetAddress.getByAddress(new byte[] {127, 0, (byte) (address >> 8), (byte) address});
      readers.add(
          new Reader(i, "/live/v1/tenants/" + tenant + "/threads/storm-" + (i % threads), from));
    }
    long now = System.currentTimeMillis();
    readers.forEach(
        reader -> {
          reader.dueAt = now;
          due.add(reader);
        });
    loop = Thread.ofPlatform().daemon().name("live-storm").start(this::run);
  }

  public int subscribed() {
    return subscribed.get();
  }

  /** Text messages received other than {@code subscribed} and {@code presence}. */
  public int received() {
    return received.get();
  }

  public int reconnects() {
    return reconnects.get();
  }

  private void run() {
    try {
      while (running) {
        long now = System.currentTimeMillis();
        while (!due.isEmpty() && due.peek().dueAt <= now) {
          connect(due.poll());
        }
        long wait = due.isEmpty() ? 100 : Math.max(1, Math.min(100, due.peek().dueAt - now));
        selector.select(wait);
        for (SelectionKey key : selector.selectedKeys()) {
          Reader reader = (Reader) key.attachment();
          try {
            if (key.isConnectable()) {
              connected(reader, key);
            } else if (key.isReadable()) {
              read(reader);
            }
          } catch (IOException | RuntimeException e) {
            lost(reader);
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException e) {
      throw new IllegalStateException("the storm's selector failed", e);
    }
  }

  private void connect(Reader reader) {
    try {
      SocketChannel channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.bind(new InetSocketAddress(reader.from, 0));
      reader.channel = channel;
      reader.upgraded = false;
      reader.in.clear();
      if (channel.connect(node)) {
        handshake(reader);
        channel.register(selector, SelectionKey.OP_READ, reader);
      } else {
        channel.register(selector, SelectionKey.OP_CONNECT, reader);
      }
    } catch (IOException e) {
      lost(reader);
    }
  }

  private void connected(Reader reader, SelectionKey key) throws IOException {
    reader.channel.finishConnect();
    handshake(reader);
    key.interestOps(SelectionKey.OP_READ);
  }

  private void handshake(Reader reader) throws IOException {
    String key = Base64.getEncoder().encodeToString(longBytes(reader.index));
    String since = reader.position >= -1 ? "?since=" + reader.position : "";
    String request =
        "GET "
            + reader.path
            + since
            + " HTTP/1.1\r\nHost: node\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
            + key
            + "\r\n\r\n";
    ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
    while (out.hasRemaining()) {
      reader.channel.write(out);
    }
  }

  private static byte[] longBytes(int index) {
    byte[] bytes = new byte[16];
    for (int i = 0; i < 4; i++) {
      bytes[i] = (byte) (index >> (8 * i));
    }
    return bytes;
  }

  private void read(Reader reader) throws IOException {
    if (reader.in.remaining() == 0) {
      ByteBuffer bigger = ByteBuffer.allocate(reader.in.capacity() * 2);
      reader.in.flip();
      bigger.put(reader.in);
      reader.in = bigger;
    }
    int n = reader.channel.read(reader.in);
    if (n < 0) {
      throw new IOException("closed by the node");
    }
    reader.in.flip();
    if (!reader.upgraded) {
      int end = headerEnd(reader.in);
      if (end < 0) {
        reader.in.compact();
        return;
      }
      String head = StandardCharsets.US_ASCII.decode(reader.in.slice(0, end)).toString();
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new IOException("not upgraded: " + head.lines().findFirst().orElse(""));
      }
      reader.in.position(end + 4);
      reader.upgraded = true;
    }
    while (frame(reader)) {
      // every whole frame in the buffer
    }
    reader.in.compact();
  }

  /** Reads one whole frame if the buffer holds one. */
  private boolean frame(Reader reader) throws IOException {
    ByteBuffer in = reader.in;
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
    byte[] payload = new byte[(int) length];
    in.position(start + header);
    in.get(payload);
    switch (opcode) {
      case 1 -> text(reader, new String(payload, StandardCharsets.UTF_8));
      case 8 -> throw new IOException("close frame");
      default -> {} // pings are answered by nobody: the node's idle timeout is a minute
    }
    return true;
  }

  private void text(Reader reader, String json) {
    long position = position(json);
    if (position > reader.position) {
      reader.position = position;
    }
    if (json.contains("\"type\":\"subscribed\"")) {
      if (!reader.isSubscribed) {
        reader.isSubscribed = true;
        reader.failures = 0;
        subscribed.incrementAndGet();
      }
    } else if (!json.contains("\"type\":\"presence\"")) {
      received.incrementAndGet();
    }
  }

  private static long position(String json) {
    int at = json.indexOf("\"position\":");
    if (at < 0) {
      return -2;
    }
    int from = at + "\"position\":".length();
    int to = from;
    while (to < json.length() && (Character.isDigit(json.charAt(to)) || json.charAt(to) == '-')) {
      to++;
    }
    return to == from ? -2 : Long.parseLong(json.substring(from, to));
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

  private void lost(Reader reader) {
    if (reader.channel != null) {
      try {
        reader.channel.close();
      } catch (IOException ignored) {
        // closing a dead socket
      }
      reader.channel = null;
    }
    if (reader.isSubscribed) {
      reader.isSubscribed = false;
      subscribed.decrementAndGet();
    }
    reconnects.incrementAndGet();
    long ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS << Math.min(reader.failures, 10));
    reader.failures++;
    reader.dueAt = System.currentTimeMillis() + ThreadLocalRandom.current().nextLong(ceiling + 1);
    due.add(reader);
  }

  @Override
  public void close() {
    running = false;
    try {
      loop.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Reader reader : readers) {
      if (reader.channel != null) {
        try {
          reader.channel.close();
        } catch (IOException ignored) {
          // closing at the end
        }
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing at the end
    }
  }
}
