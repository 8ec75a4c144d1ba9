package dev.comments.edge.testing;

import dev.comments.command.Accepted;
import dev.comments.command.CommentCommands;
import dev.comments.events.Author;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A command side that records each call and accepts it, or throws what the test set. Comments it
 * does not know live in thread {@code t1} of their tenant.
 */
public final class RecordingCommands implements CommentCommands {
  public record Call(String command, List<Object> arguments) {}

  public final List<Call> calls = new CopyOnWriteArrayList<>();
  public final AtomicLong seq = new AtomicLong();
  public volatile RuntimeException failure;
  public volatile CountDownLatch gate;
  public final AtomicLong entered = new AtomicLong();

  @Override
  public Accepted post(ThreadId thread, String parentId, Author author, String text) {
    call("post", thread, parentId, author, text);
    return new Accepted(thread, "c" + seq.get(), seq.get());
  }

  @Override
  public Accepted edit(String tenant, String commentId, String editorId, String text) {
    call("edit", tenant, commentId, editorId, text);
    return new Accepted(new ThreadId(tenant, "t1"), commentId, seq.get());
  }

  @Override
  public Accepted delete(String tenant, String commentId, String requesterId) {
    call("delete", tenant, commentId, requesterId);
    return new Accepted(new ThreadId(tenant, "t1"), commentId, seq.get());
  }

  @Override
  public Accepted vote(String tenant, String commentId, String voterId, VoteDirection direction) {
    call("vote", tenant, commentId, voterId, direction);
    return new Accepted(new ThreadId(tenant, "t1"), commentId, seq.get());
  }

  @Override
  public Accepted flag(String tenant, String commentId, String flaggerId, String reason) {
    call("flag", tenant, commentId, flaggerId, reason);
    return new Accepted(new ThreadId(tenant, "t1"), commentId, seq.get());
  }

  @Override
  public Accepted lock(ThreadId thread, String moderatorId) {
    call("lock", thread, moderatorId);
    return new Accepted(thread, null, seq.get());
  }

  @Override
  public Accepted unlock(ThreadId thread, String moderatorId) {
    call("unlock", thread, moderatorId);
    return new Accepted(thread, null, seq.get());
  }

  private void call(String command, Object... arguments) {
    entered.incrementAndGet();
    CountDownLatch waitFor = gate;
    if (waitFor != null) {
      try {
        if (!waitFor.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    seq.incrementAndGet();
    calls.add(new Call(command, java.util.Arrays.asList(arguments)));
  }
}
