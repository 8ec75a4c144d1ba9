package dev.comments.edge.live;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.XnioIoThread;

/**
 * Hands writes to the IO threads in batches. A fan-out to ten thousand readers would otherwise post
 * ten thousand tasks, each of which may wake its IO thread's selector (a system call); here each IO
 * thread is woken once per batch and runs every write queued for it, in the order they came.
 */
final class IoHandOff {
  private final Map<XnioIoThread, Lane> lanes = new ConcurrentHashMap<>();

  private static final class Lane implements Runnable {
    private final XnioIoThread thread;
    private final Queue<Runnable> writes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    Lane(XnioIoThread thread) {
      this.thread = thread;
    }

    void add(Runnable write) {
      writes.add(write);
      if (scheduled.compareAndSet(false, true)) {
        thread.execute(this);
      }
    }

    @Override
    public void run() {
      // Cleared before draining: a write added meanwhile either is drained here or schedules anew.
      scheduled.set(false);
      Runnable write;
      while ((write = writes.poll()) != null) {
        write.run();
      }
    }
  }

  /** Runs {@code write} on {@code thread}, after every write handed to it before. */
  void run(XnioIoThread thread, Runnable write) {
    lanes.computeIfAbsent(thread, Lane::new).add(write);
  }
}
