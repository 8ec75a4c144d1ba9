package dev.comments.infra.dev;

import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes concurrent writes share one commit: each write, once applied, asks for a commit and waits
 * for one that started after it asked, which therefore holds it. A single committer thread runs the
 * commits one after another, each covering every request made before it started, so N writers that
 * arrive during one commit share the next.
 */
final class GroupCommit implements AutoCloseable {
  private final Runnable commit;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition requested = lock.newCondition();
  private final Condition committed = lock.newCondition();
  private final Thread committer;
  private long lastRequest;
  private long lastCommitted;
  private long commits;
  private RuntimeException failure;
  private boolean closed;

  /**
   * @param commit makes everything applied before it started durable
   */
  GroupCommit(Runnable commit, String threadName) {
    this.commit = Objects.requireNonNull(commit, "commit");
    this.committer = Thread.ofPlatform().daemon().name(threadName).start(this::commitLoop);
  }

  /** Returns once a commit that started after this call holds what the caller applied before. */
  void awaitCommit() {
    lock.lock();
    try {
      long ticket = ++lastRequest;
      requested.signal();
      while (lastCommitted < ticket) {
        if (failure != null) {
          throw new IllegalStateException("the store could not commit", failure);
        }
        if (closed) {
          throw new IllegalStateException("the store is closed");
        }
        committed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Writes that waited for a commit, and the commits that held them. */
  Counts counts() {
    lock.lock();
    try {
      return new Counts(lastRequest, commits);
    } finally {
      lock.unlock();
    }
  }

  record Counts(long writes, long commits) {}

  private void commitLoop() {
    while (true) {
      long covered;
      lock.lock();
      try {
        while (lastRequest == lastCommitted && !closed) {
          requested.awaitUninterruptibly();
        }
        if (lastRequest == lastCommitted) {
          return;
        }
        covered = lastRequest;
      } finally {
        lock.unlock();
      }
      RuntimeException failed = null;
      try {
        commit.run();
      } catch (RuntimeException e) {
        failed = e;
      }
      lock.lock();
      try {
        if (failed != null) {
          // A store that failed to write is not trusted again: every waiter, now and later, fails.
          failure = failed;
          committed.signalAll();
          return;
        }
        lastCommitted = covered;
        commits++;
        committed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Commits what was asked for so far, then stops the committer. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      requested.signal();
    } finally {
      lock.unlock();
    }
    try {
      committer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
