package dev.comments.edge.live;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * A websocket after its handshake, on the upgraded connection itself: each message is one frame
 * written straight to the socket (a read-only view of bytes framed once for all readers), what does
 * not fit is queued and written when the socket takes more, and client frames are read by a {@link
 * FrameReader}. Everything but {@link #close} runs on the connection's IO thread.
 */
final class WebSocketOutlet implements Outlet, FrameReader.Receiver {
  /** Frames written in one gathering write when several are queued. */
  private static final int MAX_GATHER = 64;

  private static final long CLOSE_GRACE_SECONDS = 5;

  /** What the connection's user is told: text messages, and that the connection is gone. */
  interface Events {
    void text(byte[] utf8);

    void closed();
  }

  private record Pending(ByteBuffer bytes, Consumer<Boolean> done) {}

  /** Frames up to this size are written from the IO thread's direct buffer. */
  private static final int SCRATCH_BYTES = 16 * 1024;

  /** An IO thread's direct buffer and the frame it holds a copy of. */
  private static final class Scratch {
    private final ByteBuffer direct = ByteBuffer.allocateDirect(SCRATCH_BYTES);
    private LiveFrame frame;
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final StreamConnection connection;
  private final ConduitStreamSinkChannel sink;
  private final ByteBufferPool buffers;
  private final FrameReader reader;
  private final long idleNanos;

  /** Frames not yet wholly written, in order; empty (and unallocated) while the socket keeps up. */
  private ArrayDeque<Pending> queued;

  private Events events;
  private boolean closing;
  private boolean gone;
  private boolean pongQueued;
  private long lastReadNanos;
  private XnioExecutor.Key idleCheck;

  WebSocketOutlet(
      StreamConnection connection, ByteBufferPool buffers, int maxMessageBytes, long idleNanos) {
    this.connection = connection;
    this.sink = connection.getSinkChannel();
    this.buffers = buffers;
    this.reader = new FrameReader(maxMessageBytes);
    this.idleNanos = idleNanos;
  }

  /** Starts reading client frames and watching for idleness; on the IO thread, once. */
  void start(Events events) {
    this.events = events;
    ChannelListener<? super StreamConnection> before = connection.getCloseListener();
    connection.setCloseListener(
        closed -> {
          ChannelListeners.invokeChannelListener(closed, before);
          gone();
        });
    sink.setWriteListener(channel -> writeQueued());
    ConduitStreamSourceChannel source = connection.getSourceChannel();
    source.setReadListener(this::readable);
    lastReadNanos = System.nanoTime();
    idleCheck = ioThread().executeAfter(this::checkIdle, idleNanos, TimeUnit.NANOSECONDS);
    source.resumeReads();
  }

  @Override
  public void send(LiveFrame frame, String type, String id, Consumer<Boolean> done) {
    if (closing || gone) {
      done.accept(false);
      return;
    }
    if ((queued == null || queued.isEmpty()) && frame.length() <= SCRATCH_BYTES) {
      writeFromScratch(frame, done);
    } else {
      write(frame.frame(), done);
    }
  }

  /**
   * Writes {@code frame} from its copy in the IO thread's direct buffer: a fan-out writes the same
   * frame to every socket of the thread in a row, and a socket write of a heap buffer would copy it
   * into direct memory each time. What the socket does not take is queued from the frame itself.
   */
  private void writeFromScratch(LiveFrame frame, Consumer<Boolean> done) {
    Scratch scratch = SCRATCH.get();
    ByteBuffer direct = scratch.direct;
    if (scratch.frame != frame) {
      direct.clear();
      frame.copyTo(direct);
      direct.flip();
      scratch.frame = frame;
    } else {
      direct.position(0);
    }
    try {
      sink.write(direct);
      if (!direct.hasRemaining()) {
        if (!sink.flush()) {
          sink.resumeWrites();
        }
        done.accept(true);
        return;
      }
    } catch (IOException e) {
      done.accept(false);
      cut();
      return;
    }
    ByteBuffer rest = frame.frame();
    rest.position(direct.position());
    queue(rest, done);
  }

  @Override
  public void ping() {
    // A queued frame already tells the reader something is coming; pings need not pile up behind
    // it.
    if (!closing && !gone && (queued == null || queued.isEmpty())) {
      write(WebSocketFrames.ping(), null);
    }
  }

  /**
   * Sends the close frame after what is queued, and cuts the connection if the peer has not
   * answered it in a few seconds (a reader that stopped reading never will).
   */
  @Override
  public void close(int code, String reason) {
    if (Thread.currentThread() == ioThread()) {
      closeNow(code, reason);
    } else {
      ioThread().execute(() -> closeNow(code, reason));
    }
  }

  @Override
  public XnioIoThread ioThread() {
    return connection.getIoThread();
  }

  private void closeNow(int code, String reason) {
    if (closing || gone) {
      return;
    }
    closing = true;
    write(WebSocketFrames.close(code, reason), null);
    ioThread().executeAfter(this::cut, CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Writes {@code bytes} now if nothing is queued before it, else queues it; {@code done}, if any,
   * is told once it is wholly written (true) or will never be (false).
   */
  private void write(ByteBuffer bytes, Consumer<Boolean> done) {
    if (queued == null || queued.isEmpty()) {
      try {
        sink.write(bytes);
        if (!bytes.hasRemaining()) {
          if (!sink.flush()) {
            sink.resumeWrites();
          }
          if (done != null) {
            done.accept(true);
          }
          return;
        }
      } catch (IOException e) {
        if (done != null) {
          done.accept(false);
        }
        cut();
        return;
      }
    }
    queue(bytes, done);
  }

  private void queue(ByteBuffer bytes, Consumer<Boolean> done) {
    if (queued == null) {
      queued = new ArrayDeque<>(4);
    }
    queued.add(new Pending(bytes, done));
    sink.resumeWrites();
  }

  /** The socket takes more: writes what is queued, several frames per call. */
  private void writeQueued() {
    try {
      while (queued != null && !queued.isEmpty()) {
        long wrote;
        if (queued.size() == 1) {
          wrote = sink.write(queued.peek().bytes());
        } else {
          ByteBuffer[] gather = new ByteBuffer[Math.min(queued.size(), MAX_GATHER)];
          int i = 0;
          for (Pending pending : queued) {
            if (i == gather.length) {
              break;
            }
            gather[i++] = pending.bytes();
          }
          wrote = sink.write(gather);
        }
        Pending head;
        while ((head = queued.peek()) != null && !head.bytes().hasRemaining()) {
          queued.poll();
          if (head.done() != null) {
            head.done().accept(true);
          }
        }
        if (wrote == 0 && !queued.isEmpty()) {
          return; // still resumed: called again once the socket takes more
        }
      }
      if (sink.flush()) {
        sink.suspendWrites();
      }
    } catch (IOException e) {
      cut();
    }
  }

  private void readable(ConduitStreamSourceChannel source) {
    try (PooledByteBuffer pooled = buffers.allocate()) {
      ByteBuffer buffer = pooled.getBuffer();
      while (!gone) {
        buffer.clear();
        int read = source.read(buffer);
        if (read == 0) {
          return;
        }
        if (read < 0) {
          cut();
          return;
        }
        lastReadNanos = System.nanoTime();
        buffer.flip();
        if (!reader.read(buffer, this)) {
          source.suspendReads();
          return;
        }
      }
    } catch (IOException e) {
      cut();
    }
  }

  @Override
  public void text(byte[] utf8) {
    if (!closing && !gone) {
      events.text(utf8);
    }
  }

  @Override
  public void ping(byte[] payload) {
    // One pong at a time: RFC 6455 lets a pong answer only the latest ping, and a client that pings
    // but never reads must not grow the queue.
    if (!closing && !gone && !pongQueued) {
      pongQueued = true;
      write(WebSocketFrames.pong(payload), written -> pongQueued = false);
    }
  }

  @Override
  public void pong() {
    // Reading it was the point: the connection is not idle.
  }

  @Override
  public void closeReceived(int code) {
    if (closing) {
      cut();
      return;
    }
    closing = true;
    events.closed();
    // Answered with its own code, as RFC 6455 asks; the connection is cut once that is written.
    int answer = code == FrameReader.NO_STATUS || !sendable(code) ? 1000 : code;
    write(WebSocketFrames.close(answer, ""), written -> cut());
    ioThread().executeAfter(this::cut, CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void refused(int code, String reason) {
    closeNow(code, reason);
    events.closed();
  }

  /** A code an endpoint may put in a close frame (RFC 6455, section 7.4). */
  private static boolean sendable(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1011)
        || (code >= 3000 && code <= 4999);
  }

  private void checkIdle() {
    if (gone) {
      return;
    }
    long quiet = System.nanoTime() - lastReadNanos;
    if (quiet >= idleNanos) {
      cut();
    } else {
      idleCheck = ioThread().executeAfter(this::checkIdle, idleNanos - quiet, TimeUnit.NANOSECONDS);
    }
  }

  private void cut() {
    IoUtils.safeClose(connection);
    gone();
  }

  /** The connection is closed: what is queued is never written. */
  private void gone() {
    if (gone) {
      return;
    }
    gone = true;
    reader.stop();
    if (idleCheck != null) {
      idleCheck.remove();
    }
    if (queued != null) {
      Pending pending;
      while ((pending = queued.poll()) != null) {
        if (pending.done() != null) {
          pending.done().accept(false);
        }
      }
    }
    if (events != null) {
      events.closed();
    }
  }
}
