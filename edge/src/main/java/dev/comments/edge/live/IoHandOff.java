package dev.comments.edge.live;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioIoThread;

/**
 * Hands work to the IO threads in batches: each IO thread has one lane, woken once per batch (the
 * XNIO {@code execute} of each task may wake the thread's selector, a system call), which runs
 * every task queued for it in the order they came. The live feeds deliver an update to all the
 * readers of an IO thread through its lane, as one task.
 */
final class IoHandOff {
  private static final Logger log = LoggerFactory.getLogger(IoHandOff.class);

  private final Map<XnioIoThread, Lane> lanes = new ConcurrentHashMap<>();

  private static final class Lane implements Executor, Runnable {
    private final XnioIoThread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    Lane(XnioIoThread thread) {
      this.thread = thread;
    }

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
      if (scheduled.compareAndSet(false, true)) {
        thread.execute(this);
      }
    }

    @Override
    public void run() {
      // Cleared before draining: a task added meanwhile either is drained here or schedules anew.
      scheduled.set(false);
      Runnable task;
      while ((task = tasks.poll()) != null) {
        try {
          task.run();
        } catch (RuntimeException e) {
          // The tasks behind it run now, not when the next task schedules the lane again.
          log.warn("a task on {} failed", thread.getName(), e);
        }
      }
    }
  }

  /**
   * The lane of {@code thread}: the same executor for every call, which runs each task on {@code
   * thread} after every task handed to it before.
   */
  Executor lane(XnioIoThread thread) {
    return lanes.computeIfAbsent(thread, Lane::new);
  }
}
