package dev.comments.query.thread;

import dev.comments.events.CommentDeleted;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentEvent;
import dev.comments.events.CommentFlagged;
import dev.comments.events.CommentHeld;
import dev.comments.events.CommentModerated;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentStatus;
import dev.comments.events.CommentVoted;
import dev.comments.events.HostPage;
import dev.comments.events.LoggedEvent;
import dev.comments.events.ThreadId;
import dev.comments.events.ThreadLocked;
import dev.comments.events.ThreadUnlocked;
import dev.comments.events.VoteDirection;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.moderation.QueueStore;
import dev.comments.query.projection.Projection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the thread view: each event is applied to the thread's in-memory state ({@link ReadModel}),
 * written through to the store, and only then shown to readers.
 *
 * <p>Exactly once in effect, without transactions: the consumer is the only writer and runs on one
 * thread, so "has this document seen this event?" is answered from its copy of the thread, loaded
 * from the store's primary. The thread document's {@code seq} is written last, so an event at or
 * below it is a duplicate, skipped outright. Each comment bucket keeps the {@code seq} of the last
 * event written to it, and an event above the thread's {@code seq} (re-applied after a crash
 * between its writes) skips the buckets that already hold it. The other writes set absolute values
 * (the thread document, a bucket's first comment, a vote, a flag), so writing them twice changes
 * nothing.
 *
 * <p>A gap (an event more than one above the thread's {@code seq}) is applied anyway and reported:
 * holding it would freeze the thread on this node forever if the missing event never comes, and the
 * publisher guarantees gap-free streams, so a gap means a bug to fix and a rebuild to run, not a
 * state to wait out.
 */
public final class ThreadProjection implements Projection {
  /** Raise to make every node rebuild the thread view when it starts. */
  public static final int VERSION = 1;

  private static final Logger log = LoggerFactory.getLogger(ThreadProjection.class);

  private final ThreadViewStore store;
  private final ReadModel readModel;
  private final LiveFeeds feeds;
  private final QueueStore queue;

  public ThreadProjection(ThreadViewStore store, ReadModel readModel) {
    this(store, readModel, new LiveFeeds(readModel), null);
  }

  /** With the moderators' queue, written right after each event that concerns moderation. */
  public ThreadProjection(ThreadViewStore store, ReadModel readModel, QueueStore queue) {
    this(store, readModel, new LiveFeeds(readModel), queue);
  }

  /** Feeding {@code feeds}, which outlive it: a rebuilt copy swapped in feeds the same readers. */
  ThreadProjection(ThreadViewStore store, ReadModel readModel, LiveFeeds feeds) {
    this(store, readModel, feeds, null);
  }

  /**
   * Feeding {@code feeds}, which outlive it (a rebuilt copy swapped in feeds the same readers), and
   * writing the moderators' queue ({@code null}: none). A rebuild's shadow copy writes a queue of
   * its own generation, swapped in with it.
   */
  public ThreadProjection(
      ThreadViewStore store, ReadModel readModel, LiveFeeds feeds, QueueStore queue) {
    this.store = store;
    this.readModel = readModel;
    this.feeds = feeds;
    this.queue = queue;
  }

  /** A projection that only plans, for tools that write a thread view without a node. */
  static ThreadProjection planner() {
    return new ThreadProjection(null, null, null, null);
  }

  public ReadModel readModel() {
    return readModel;
  }

  /** The live changes of the threads, as this projection applies them. */
  public LiveFeeds feeds() {
    return feeds;
  }

  /** The store writes of one event, in order (the thread document last), and the state after. */
  record Plan(ThreadState after, List<Runnable> writes) {}

  /**
   * On a buffered store (a rebuild's shadow): the threads this batch changed, as they are now, and
   * the seq each was first changed at; their documents are written whole, once, at {@link #flush}.
   */
  private final Map<ThreadId, ThreadState> held = new HashMap<>();

  private final Map<ThreadId, Long> heldFrom = new HashMap<>();

  @Override
  public boolean follows(LoggedEvent event) {
    return event instanceof CommentEvent;
  }

  @Override
  public Outcome apply(EventEnvelope envelope) {
    ThreadId thread = envelope.thread();
    try {
      ThreadState before = held.get(thread);
      if (before == null) {
        before = readModel.exactThread(thread);
      }
      if (envelope.seq() <= before.seq()) {
        return Outcome.DUPLICATE;
      }
      Plan plan = plan(before, envelope);
      if (store.isBuffered()) {
        holdBack(envelope, before, plan.after());
      } else {
        plan.writes().forEach(Runnable::run);
      }
      readModel.put(plan.after());
      if (envelope.event() instanceof CommentVoted voted) {
        readModel.voted(thread, voted.voterId(), voted.commentId(), voted.direction());
      }
      feeds.applied(envelope, before, plan.after());
      return envelope.seq() == before.seq() + 1 ? Outcome.APPLIED : Outcome.APPLIED_AFTER_GAP;
    } catch (RuntimeException e) {
      // Memory may now be ahead of the store: start the retry from what the store holds.
      readModel.forget(thread);
      if (store.isBuffered()) {
        // The batch's held-back writes go, and every thread they touched with them.
        dropHeld();
      }
      throw e;
    }
  }

  /**
   * A buffered store's event: votes and flags held back as they are, the queue written, the thread
   * kept for flush.
   */
  private void holdBack(EventEnvelope envelope, ThreadState before, ThreadState after) {
    ThreadId thread = envelope.thread();
    long seq = envelope.seq();
    switch (envelope.commentEvent()) {
      case CommentVoted v ->
          store.writeVote(thread, v.voterId(), v.commentId(), v.direction(), seq);
      case CommentFlagged f ->
          store.writeFlag(thread, f.commentId(), f.flaggerId(), f.reason(), f.flaggedAt(), seq);
      default -> {}
    }
    // The queue is read by moderators, not by this batch: written at once, with absolute values.
    Runnable queueWrite = queueWrite(envelope, after);
    if (queueWrite != null) {
      queueWrite.run();
    }
    heldFrom.putIfAbsent(thread, before.seq() + 1);
    held.put(thread, after);
  }

  private void dropHeld() {
    held.clear();
    heldFrom.clear();
    store.discard();
    readModel.clear();
  }

  /** Sends a buffered store's writes of the batch; on failure the batch is applied again. */
  @Override
  public void flush() {
    try {
      if (store.isBuffered()) {
        for (Map.Entry<ThreadId, ThreadState> entry : held.entrySet()) {
          ThreadState state = entry.getValue();
          long from = heldFrom.get(entry.getKey());
          for (int bucket = 0;
              bucket < ThreadState.bucketCount(state.comments().size());
              bucket++) {
            if (state.bucketSeq(bucket) >= from) {
              store.holdBucket(state, bucket);
            }
          }
          store.writeThread(state);
        }
        held.clear();
        heldFrom.clear();
      }
      store.flush();
    } catch (RuntimeException e) {
      dropHeld();
      throw e;
    }
  }

  @Override
  public void reset() {
    store.drop();
    store.createIndexes();
    if (queue != null) {
      queue.drop();
      queue.createIndexes();
    }
    readModel.clear();
  }

  /**
   * What one event does to a thread. A comment whose bucket already holds this event (written
   * before a crash, the thread document not yet) is left as it is, in memory and in the store.
   * Visible to tests, which run a prefix of the writes to play a crash in the middle.
   */
  Plan plan(ThreadState before, EventEnvelope envelope) {
    long seq = envelope.seq();
    ThreadId thread = envelope.thread();
    List<StoredComment> comments = new ArrayList<>(before.comments());
    List<Runnable> writes = new ArrayList<>();
    boolean locked = before.locked();
    int changed = -1;
    switch (envelope.commentEvent()) {
      case CommentPosted posted -> {
        if (before.positionOf(posted.commentId()) < 0) {
          comments.add(stored(posted, before));
          changed = comments.size() - 1;
        }
      }
      case CommentEdited edited ->
          // An edit never brings a deleted comment's text back.
          changed =
              change(
                  before,
                  seq,
                  edited.commentId(),
                  c ->
                      c.deleted()
                          ? c
                          : c.edited(edited.text(), edited.media(), millis(edited.editedAt())),
                  comments);
      case CommentDeleted deleted ->
          changed = change(before, seq, deleted.commentId(), StoredComment::asDeleted, comments);
      case CommentVoted voted -> {
        long up =
            weight(voted.direction(), VoteDirection.UP)
                - weight(voted.previous(), VoteDirection.UP);
        long down =
            weight(voted.direction(), VoteDirection.DOWN)
                - weight(voted.previous(), VoteDirection.DOWN);
        writes.add(
            () ->
                store.writeVote(
                    thread, voted.voterId(), voted.commentId(), voted.direction(), seq));
        changed = change(before, seq, voted.commentId(), c -> c.withVotes(up, down), comments);
      }
      case CommentFlagged flagged ->
          writes.add(
              () ->
                  store.writeFlag(
                      thread,
                      flagged.commentId(),
                      flagged.flaggerId(),
                      flagged.reason(),
                      flagged.flaggedAt(),
                      seq));
      case CommentModerated moderated ->
          changed =
              change(
                  before,
                  seq,
                  moderated.commentId(),
                  c ->
                      switch (moderated.action()) {
                        case APPROVE, RESTORE -> c.withStatus(CommentStatus.APPROVED);
                        case REJECT -> c.withStatus(CommentStatus.REJECTED);
                        case REMOVE -> c.withStatus(CommentStatus.REMOVED);
                        case PIN -> c.withPinned(true);
                        case UNPIN -> c.withPinned(false);
                      },
                  comments);
      case CommentHeld held ->
          changed =
              change(
                  before,
                  seq,
                  held.commentId(),
                  c -> c.withStatus(CommentStatus.PENDING),
                  comments);
      case ThreadLocked l -> locked = true;
      case ThreadUnlocked u -> locked = false;
    }
    List<Integer> touched = changed < 0 ? List.of() : List.of(bucketOf(changed));
    ThreadState after = before.next(seq, locked, millis(envelope.time()), comments, touched);
    if (changed >= 0) {
      writes.add(bucketWrite(before.comments().size(), after, changed));
    }
    Runnable queueWrite = queueWrite(envelope, after);
    if (queueWrite != null) {
      writes.add(queueWrite);
    }
    writes.add(() -> store.writeThread(after));
    return new Plan(after, writes);
  }

  /** The moderators' queue's write of an event, or null when it concerns no comment or no queue. */
  private Runnable queueWrite(EventEnvelope envelope, ThreadState after) {
    if (queue == null) {
      return null;
    }
    CommentEvent event = envelope.commentEvent();
    String commentId = commentIdOf(event);
    int at = commentId == null ? -1 : after.positionOf(commentId);
    if (at < 0) {
      return null;
    }
    StoredComment comment = after.comments().get(at);
    return () ->
        queue.apply(
            event,
            comment.moderatorView(),
            comment.page(),
            comment.media(),
            envelope.time(),
            envelope.seq());
  }

  private static String commentIdOf(CommentEvent event) {
    return switch (event) {
      case CommentPosted e -> e.commentId();
      case CommentEdited e -> e.commentId();
      case CommentDeleted e -> e.commentId();
      case CommentFlagged e -> e.commentId();
      case CommentHeld e -> e.commentId();
      case CommentModerated e -> e.commentId();
      case CommentVoted e -> null;
      case ThreadLocked e -> null;
      case ThreadUnlocked e -> null;
    };
  }

  /**
   * The write of the comment at {@code position}: the whole bucket when it starts one (writing it
   * twice writes the same), an append when it is new, else that comment replaced.
   */
  private Runnable bucketWrite(int commentsBefore, ThreadState after, int position) {
    long seq = after.seq();
    int bucket = bucketOf(position);
    StoredComment comment = after.comments().get(position);
    if (position < commentsBefore) {
      return () -> store.replaceInBucket(after.id(), seq, comment, position);
    }
    if (position % ThreadState.BUCKET_SIZE == 0) {
      return () -> store.writeBucket(after, bucket);
    }
    return () -> store.appendToBucket(after.id(), seq, comment, bucket);
  }

  private StoredComment stored(CommentPosted posted, ThreadState before) {
    String rootId = posted.commentId();
    if (posted.parentId() != null) {
      // The parent's own event came earlier in the same ordered stream, so it is there.
      int parent = before.positionOf(posted.parentId());
      if (parent < 0) {
        log.error(
            "comment {} of {} replies to unknown parent {}",
            posted.commentId(),
            before.id(),
            posted.parentId());
        rootId = posted.parentId();
      } else {
        rootId = before.comments().get(parent).rootId();
      }
    }
    return new StoredComment(
        posted.commentId(),
        posted.parentId(),
        rootId,
        posted.author(),
        posted.text(),
        millis(posted.postedAt()),
        null,
        false,
        0,
        0,
        posted.status(),
        false,
        posted.media(),
        shared(posted.page(), before));
  }

  /**
   * The page of the thread's last comment when it is the same: most comments of a thread come from
   * one page, and the read model then holds its URL and title once.
   */
  private static HostPage shared(HostPage page, ThreadState before) {
    List<StoredComment> comments = before.comments();
    if (page != null && !comments.isEmpty() && page.equals(comments.getLast().page())) {
      return comments.getLast().page();
    }
    return page;
  }

  /**
   * Replaces one comment; returns its position, or -1 when nothing changed: a comment this thread
   * does not hold, or one whose bucket holds this event already.
   */
  private static int change(
      ThreadState before,
      long seq,
      String commentId,
      UnaryOperator<StoredComment> how,
      List<StoredComment> comments) {
    int position = before.positionOf(commentId);
    if (position < 0 || before.bucketSeq(bucketOf(position)) >= seq) {
      return -1;
    }
    StoredComment changed = how.apply(comments.get(position));
    if (changed.equals(comments.get(position))) {
      return -1;
    }
    comments.set(position, changed);
    return position;
  }

  private static int bucketOf(int position) {
    return position / ThreadState.BUCKET_SIZE;
  }

  /** The store keeps milliseconds: so does memory, so that both always read the same. */
  private static Instant millis(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS);
  }

  private static long weight(VoteDirection direction, VoteDirection counted) {
    return direction == counted ? 1 : 0;
  }
}
