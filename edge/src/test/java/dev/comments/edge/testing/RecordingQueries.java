package dev.comments.edge.testing;

import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.FindReplies;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.RepliesPage;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.ThreadQueries;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A query side serving pages the test put in, recording every query and wait. */
public final class RecordingQueries implements ThreadQueries {
  public record Find(FindThreadComments query, ReadPreference readPreference) {}

  public record Await(ThreadId thread, long seq, Duration timeout, ReadPreference readPreference) {}

  public record FindMoreReplies(FindReplies query, ReadPreference readPreference) {}

  public final Map<ThreadId, ThreadPage> pages = new ConcurrentHashMap<>();
  public final Map<String, RepliesPage> replies = new ConcurrentHashMap<>();
  public final List<FindMoreReplies> replyFinds = new CopyOnWriteArrayList<>();
  public final List<Find> finds = new CopyOnWriteArrayList<>();
  public final List<Await> awaits = new CopyOnWriteArrayList<>();
  public volatile boolean awaitReaches = true;
  public volatile RuntimeException failure;
  public volatile Duration delay = Duration.ZERO;

  /** Whether the pages' threads count as held in memory ({@link #heldSeq}). */
  public volatile boolean heldInMemory;

  @Override
  public Optional<ThreadPage> findComments(
      FindThreadComments query, ReadPreference readPreference) {
    finds.add(new Find(query, readPreference));
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failure != null) {
      throw failure;
    }
    return Optional.ofNullable(pages.get(query.threadId()));
  }

  /** What {@link #mediaVersion} answers; pages carry their own. */
  public volatile long mediaVersion;

  @Override
  public long mediaVersion() {
    return mediaVersion;
  }

  @Override
  public OptionalLong heldSeq(ThreadId thread) {
    ThreadPage page = pages.get(thread);
    return heldInMemory && page != null ? OptionalLong.of(page.seq()) : OptionalLong.empty();
  }

  /**
   * Viewers' votes held in memory, by viewer id ({@link #heldVotes}, with {@link #heldInMemory}).
   */
  public final Map<String, Map<String, VoteDirection>> heldVotes = new ConcurrentHashMap<>();

  @Override
  public Optional<Map<String, VoteDirection>> heldVotes(ThreadId thread, String viewerId) {
    return heldInMemory ? Optional.ofNullable(heldVotes.get(viewerId)) : Optional.empty();
  }

  /** Replies put in under {@code "<thread stream id>/<comment id>"}. */
  @Override
  public Map<String, VoteDirection> votesOf(
      ThreadId thread, String viewerId, ReadPreference readPreference) {
    return Map.of();
  }

  @Override
  public Optional<RepliesPage> findReplies(FindReplies query, ReadPreference readPreference) {
    replyFinds.add(new FindMoreReplies(query, readPreference));
    if (failure != null) {
      throw failure;
    }
    return Optional.ofNullable(replies.get(query.threadId().streamId() + "/" + query.commentId()));
  }

  @Override
  public boolean awaitSeq(
      ThreadId thread, long seq, Duration timeout, ReadPreference readPreference) {
    awaits.add(new Await(thread, seq, timeout, readPreference));
    return awaitReaches;
  }
}
