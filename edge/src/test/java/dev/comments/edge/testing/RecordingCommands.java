package dev.comments.edge.testing;

import dev.comments.command.Accepted;
import dev.comments.command.CommentCommands;
import dev.comments.command.IdempotencyKeys;
import dev.comments.events.Author;
import dev.comments.events.CommentStatus;
import dev.comments.events.HostPage;
import dev.comments.events.ModerationAction;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A command side that records each call (with the idempotency key it was sent under, if any) and
 * accepts it, or throws what the test set: {@link #failure} before the call counts as applied,
 * {@link #failureAfter} after it (the answer lost). Comments it does not know live in thread {@code
 * t1} of their tenant. It settles nothing: a retry under the same key is recorded again.
 */
public final class RecordingCommands implements CommentCommands {
  /** One applied call; {@code key} is the idempotency key's id, {@code null} without one. */
  public record Call(String command, List<Object> arguments, String key) {
    /** A call sent without a key. */
    public Call(String command, List<Object> arguments) {
      this(command, arguments, null);
    }
  }

  public final List<Call> calls;
  public final AtomicLong seq;
  public final AtomicLong entered;
  public volatile RuntimeException failure;
  public volatile RuntimeException failureAfter;
  public volatile CountDownLatch gate;

  private final RecordingCommands root;
  private final String key;

  public RecordingCommands() {
    this.calls = new CopyOnWriteArrayList<>();
    this.seq = new AtomicLong();
    this.entered = new AtomicLong();
    this.root = this;
    this.key = null;
  }

  private RecordingCommands(RecordingCommands root, String key) {
    this.calls = root.calls;
    this.seq = root.seq;
    this.entered = root.entered;
    this.root = root;
    this.key = key;
  }

  @Override
  public CommentCommands keyed(IdempotencyKeys.Key idempotencyKey, String requestHash) {
    return new RecordingCommands(root, idempotencyKey.id());
  }

  @Override
  public Accepted post(
      ThreadId thread,
      String parentId,
      Author author,
      String text,
      List<String> media,
      HostPage page) {
    // A post without media or page is recorded as it always was, so tests of other features match.
    if (page != null) {
      call("post", thread, parentId, author, text, media, page);
    } else if (media.isEmpty()) {
      call("post", thread, parentId, author, text);
    } else {
      call("post", thread, parentId, author, text, media);
    }
    return new Accepted(thread, "c" + seq.get(), seq.get(), CommentStatus.APPROVED);
  }

  @Override
  public Accepted edit(
      String tenant, String commentId, String editorId, String text, List<String> media) {
    // An edit that keeps the media is recorded as it always was, so tests of other features match.
    if (media == null) {
      call("edit", tenant, commentId, editorId, text);
    } else {
      call("edit", tenant, commentId, editorId, text, media);
    }
    return new Accepted(new ThreadId(tenant, "t1"), commentId, seq.get(), CommentStatus.APPROVED);
  }

  @Override
  public Accepted delete(String tenant, String commentId, String requesterId) {
    call("delete", tenant, commentId, requesterId);
    return new Accepted(new ThreadId(tenant, "t1"), commentId, seq.get(), CommentStatus.APPROVED);
  }

  @Override
  public Accepted vote(String tenant, String commentId, String voterId, VoteDirection direction) {
    call("vote", tenant, commentId, voterId, direction);
    return new Accepted(new ThreadId(tenant, "t1"), commentId, seq.get(), CommentStatus.APPROVED);
  }

  @Override
  public Accepted flag(String tenant, String commentId, String flaggerId, String reason) {
    call("flag", tenant, commentId, flaggerId, reason);
    return new Accepted(new ThreadId(tenant, "t1"), commentId, seq.get(), CommentStatus.APPROVED);
  }

  @Override
  public Accepted moderate(
      String tenant, String commentId, ModerationAction action, String moderatorId, String reason) {
    call("moderate", tenant, commentId, action, moderatorId, reason);
    return new Accepted(new ThreadId(tenant, "t1"), commentId, seq.get(), CommentStatus.APPROVED);
  }

  @Override
  public long ban(
      String tenant, String userId, String moderatorId, String reason, java.time.Instant until) {
    call("ban", tenant, userId, moderatorId, reason, until);
    return seq.get();
  }

  @Override
  public long unban(String tenant, String userId, String moderatorId, String reason) {
    call("unban", tenant, userId, moderatorId, reason);
    return seq.get();
  }

  @Override
  public Accepted lock(ThreadId thread, String moderatorId) {
    call("lock", thread, moderatorId);
    return new Accepted(thread, null, seq.get(), null);
  }

  @Override
  public Accepted unlock(ThreadId thread, String moderatorId) {
    call("unlock", thread, moderatorId);
    return new Accepted(thread, null, seq.get(), null);
  }

  private void call(String command, Object... arguments) {
    entered.incrementAndGet();
    CountDownLatch waitFor = root.gate;
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
    RuntimeException before = root.failure;
    if (before != null) {
      throw before;
    }
    seq.incrementAndGet();
    calls.add(new Call(command, Arrays.asList(arguments), key));
    RuntimeException after = root.failureAfter;
    if (after != null) {
      throw after;
    }
  }
}
