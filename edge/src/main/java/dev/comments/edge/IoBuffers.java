package dev.comments.edge;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.DefaultByteBufferPool;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.xnio.XnioIoThread;

/**
 * Undertow's I/O buffers: direct, of one size, kept for reuse, a few per I/O thread and the rest in
 * one shared queue. Undertow's own {@link DefaultByteBufferPool} finds a thread's cache in a
 * synchronized {@code WeakHashMap} keyed by the thread, for every buffer it hands out and every one
 * it takes back (so that virtual threads leave nothing behind): under HTTP/2 with TLS that lock and
 * look-up were 4% of a loaded node's I/O threads' time. Here only the node's I/O threads, which
 * live as long as the server, keep buffers of their own, in a plain {@link ThreadLocal}; any other
 * thread (a worker, a client's) takes from and gives back to the shared queue.
 */
final class IoBuffers implements ByteBufferPool {
  private final int bufferBytes;
  private final int maxShared;
  private final int perThread;
  private final ConcurrentLinkedQueue<ByteBuffer> shared = new ConcurrentLinkedQueue<>();
  private final AtomicInteger sharedCount = new AtomicInteger();
  private final ThreadLocal<ArrayDeque<ByteBuffer>> ioThreadBuffers;
  private final ByteBufferPool arrayBacked;
  private volatile boolean closed;

  /**
   * @param bufferBytes each buffer's size
   * @param maxShared the most buffers the shared queue keeps; beyond it a returned buffer is left
   *     to the garbage collector
   * @param perThread the most buffers each I/O thread keeps for itself
   */
  IoBuffers(int bufferBytes, int maxShared, int perThread) {
    if (bufferBytes <= 0 || maxShared < 0 || perThread < 0) {
      throw new IllegalArgumentException(
          "the buffer size must be positive, the counts not negative");
    }
    this.bufferBytes = bufferBytes;
    this.maxShared = maxShared;
    this.perThread = perThread;
    this.ioThreadBuffers = ThreadLocal.withInitial(() -> new ArrayDeque<>(perThread));
    // Heap buffers, for the few parts of Undertow that ask for them (not on the request path).
    this.arrayBacked = new DefaultByteBufferPool(false, bufferBytes, maxShared, 0);
  }

  @Override
  public PooledByteBuffer allocate() {
    if (closed) {
      throw new IllegalStateException("the buffer pool is closed");
    }
    ByteBuffer buffer = null;
    if (Thread.currentThread() instanceof XnioIoThread) {
      buffer = ioThreadBuffers.get().poll();
    }
    if (buffer == null) {
      buffer = shared.poll();
      if (buffer != null) {
        sharedCount.decrementAndGet();
      }
    }
    if (buffer == null) {
      buffer = ByteBuffer.allocateDirect(bufferBytes);
    }
    buffer.clear();
    return new Pooled(this, buffer);
  }

  private void free(ByteBuffer buffer) {
    if (closed) {
      return;
    }
    if (Thread.currentThread() instanceof XnioIoThread) {
      ArrayDeque<ByteBuffer> own = ioThreadBuffers.get();
      if (own.size() < perThread) {
        own.push(buffer);
        return;
      }
    }
    if (sharedCount.incrementAndGet() <= maxShared) {
      shared.offer(buffer);
    } else {
      sharedCount.decrementAndGet();
    }
  }

  @Override
  public ByteBufferPool getArrayBackedPool() {
    return arrayBacked;
  }

  @Override
  public int getBufferSize() {
    return bufferBytes;
  }

  @Override
  public boolean isDirect() {
    return true;
  }

  /** Drops the shared buffers; the I/O threads' own go with their threads. */
  @Override
  public void close() {
    closed = true;
    shared.clear();
    arrayBacked.close();
  }

  /** One buffer handed out: given back once, at its first close. */
  private static final class Pooled implements PooledByteBuffer {
    private static final AtomicIntegerFieldUpdater<Pooled> OPEN =
        AtomicIntegerFieldUpdater.newUpdater(Pooled.class, "open");

    private final IoBuffers pool;
    private final ByteBuffer buffer;
    private volatile int open = 1;

    Pooled(IoBuffers pool, ByteBuffer buffer) {
      this.pool = pool;
      this.buffer = buffer;
    }

    @Override
    public ByteBuffer getBuffer() {
      if (open == 0) {
        throw new IllegalStateException("the buffer was given back already");
      }
      return buffer;
    }

    @Override
    public void close() {
      if (OPEN.compareAndSet(this, 1, 0)) {
        pool.free(buffer);
      }
    }

    @Override
    public boolean isOpen() {
      return open == 1;
    }
  }
}
