package dev.comments.edge.tls;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.DelegateOpenListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http2.Http2OpenListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/**
 * A deadline on each HTTP/2 header block. Undertow times out HTTP/1.1 headers, but an HTTP/2 client
 * may send a HEADERS frame without END_HEADERS and then trickle CONTINUATION frames, each within
 * the idle timeout: the stream never starts, so no request timeout applies, and the connection is
 * held for as long as the client likes. This wraps Undertow's HTTP/2 open listener: each
 * connection's plaintext is followed frame by frame (9-byte frame headers read, payloads skipped,
 * nothing copied), and a header block still open after the deadline closes the connection. Reads
 * and the deadline both run on the connection's IO thread, so the state needs no locking.
 */
final class Http2HeaderDeadline implements DelegateOpenListener {
  private static final Logger log = LoggerFactory.getLogger(Http2HeaderDeadline.class);

  private final Http2OpenListener http2;
  private final long deadlineMillis;

  Http2HeaderDeadline(Http2OpenListener http2, long deadlineMillis) {
    if (deadlineMillis < 1) {
      throw new IllegalArgumentException("deadlineMillis must be positive");
    }
    this.http2 = http2;
    this.deadlineMillis = deadlineMillis;
  }

  @Override
  public void handleEvent(StreamConnection connection) {
    watch(connection);
    http2.handleEvent(connection);
  }

  @Override
  public void handleEvent(StreamConnection connection, PooledByteBuffer alreadyRead) {
    Frames frames = watch(connection);
    if (alreadyRead != null) {
      ByteBuffer bytes = alreadyRead.getBuffer();
      frames.follow(bytes, bytes.position(), bytes.limit());
    }
    http2.handleEvent(connection, alreadyRead);
  }

  private Frames watch(StreamConnection connection) {
    Deadline deadline = new Deadline(connection, deadlineMillis);
    Frames frames = new Frames(deadline::start, deadline::stop);
    var source = connection.getSourceChannel();
    source.setConduit(new Watched(source.getConduit(), frames));
    return frames;
  }

  @Override
  public HttpHandler getRootHandler() {
    return http2.getRootHandler();
  }

  @Override
  public void setRootHandler(HttpHandler rootHandler) {
    http2.setRootHandler(rootHandler);
  }

  @Override
  public OptionMap getUndertowOptions() {
    return http2.getUndertowOptions();
  }

  @Override
  public void setUndertowOptions(OptionMap undertowOptions) {
    http2.setUndertowOptions(undertowOptions);
  }

  @Override
  public ByteBufferPool getBufferPool() {
    return http2.getBufferPool();
  }

  @Override
  public ConnectorStatistics getConnectorStatistics() {
    return http2.getConnectorStatistics();
  }

  @Override
  public void closeConnections() {
    http2.closeConnections();
  }

  /**
   * The frame boundaries of one connection's plaintext: tells when a header block opens (a HEADERS
   * frame without END_HEADERS) and when it closes (the CONTINUATION, or HEADERS, that ends it).
   */
  static final class Frames {
    static final int PREFACE_BYTES = 24;
    private static final int HEADER_BYTES = 9;
    private static final int HEADERS = 0x1;
    private static final int CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;

    private final Runnable opened;
    private final Runnable closed;
    private final byte[] header = new byte[HEADER_BYTES];
    private int prefaceLeft = PREFACE_BYTES;
    private int headerFill;
    private int payloadLeft;
    private boolean blockOpen;

    Frames(Runnable opened, Runnable closed) {
      this.opened = opened;
      this.closed = closed;
    }

    /** Follows the bytes {@code [from, to)} of {@code bytes} (absolute, the buffer untouched). */
    void follow(ByteBuffer bytes, int from, int to) {
      int at = from;
      while (at < to) {
        if (prefaceLeft > 0) {
          int skipped = Math.min(prefaceLeft, to - at);
          prefaceLeft -= skipped;
          at += skipped;
        } else if (payloadLeft > 0) {
          int skipped = Math.min(payloadLeft, to - at);
          payloadLeft -= skipped;
          at += skipped;
        } else {
          header[headerFill++] = bytes.get(at++);
          if (headerFill == HEADER_BYTES) {
            headerFill = 0;
            payloadLeft =
                ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
            frame(header[3] & 0xff, header[4] & 0xff);
          }
        }
      }
    }

    boolean headerBlockOpen() {
      return blockOpen;
    }

    private void frame(int type, int flags) {
      boolean ends = (flags & END_HEADERS) != 0;
      if (type == HEADERS && !ends && !blockOpen) {
        blockOpen = true;
        opened.run();
      } else if ((type == HEADERS || type == CONTINUATION) && ends && blockOpen) {
        blockOpen = false;
        closed.run();
      }
    }
  }

  /** Closes the connection when a header block stays open past the deadline. */
  private static final class Deadline {
    private final StreamConnection connection;
    private final long millis;
    private XnioExecutor.Key pending;

    Deadline(StreamConnection connection, long millis) {
      this.connection = connection;
      this.millis = millis;
    }

    void start() {
      pending = connection.getIoThread().executeAfter(this::expire, millis, TimeUnit.MILLISECONDS);
    }

    void stop() {
      pending.remove();
      pending = null;
    }

    private void expire() {
      if (pending != null) {
        log.debug("HTTP/2 header block not done within {} ms; closing", millis);
        IoUtils.safeClose(connection);
      }
    }
  }

  /** The connection's source, with every byte read shown to its {@link Frames}. */
  private static final class Watched extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private final Frames frames;

    Watched(StreamSourceConduit next, Frames frames) {
      super(next);
      this.frames = frames;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      int from = dst.position();
      int read = next.read(dst);
      if (read > 0) {
        frames.follow(dst, from, from + read);
      }
      return read;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
      int[] from = new int[len];
      for (int i = 0; i < len; i++) {
        from[i] = dsts[offs + i].position();
      }
      long read = next.read(dsts, offs, len);
      if (read > 0) {
        for (int i = 0; i < len; i++) {
          frames.follow(dsts[offs + i], from[i], dsts[offs + i].position());
        }
      }
      return read;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
      return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target)
        throws IOException {
      return Conduits.transfer(this, count, throughBuffer, target);
    }
  }
}
