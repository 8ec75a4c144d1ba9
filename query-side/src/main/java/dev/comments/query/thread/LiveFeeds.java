package dev.comments.query.thread;

import dev.comments.events.CommentDeleted;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentFlagged;
import dev.comments.events.CommentHeld;
import dev.comments.events.CommentModerated;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentVoted;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.ThreadLocked;
import dev.comments.events.ThreadUnlocked;
import dev.comments.events.VoteDirection;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.query.CommentView;
import dev.comments.query.LiveUpdate;
import dev.comments.query.LiveUpdate.CommentChange;
import dev.comments.query.LiveUpdate.Kind;
import dev.comments.query.LiveUpdate.LockChange;
import dev.comments.query.LiveUpdate.VoteChange;
import dev.comments.query.ThreadFeeds;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live feeds of this node's threads, fed by the projection right after each event is applied.
 * Each thread's feed keeps its latest changes, so that a reader who lost its connection resumes
 * from its last position without a gap; older ones are not kept (the reader reloads).
 *
 * <p>One lock guards every feed: subscribing is rare next to delivering. Each update is handed,
 * under that lock, to the executor of each group of subscribers that share one (an edge's IO
 * thread): one task per executor, which then delivers to every subscriber of its group. Replays are
 * handed over under the same lock. That order is what makes a resumed subscription gap-free and
 * duplicate-free: no update can be applied between the replay of the kept ones and the subscriber's
 * registration, and the executor runs the replay before any later update.
 */
public final class LiveFeeds implements ThreadFeeds {
  private static final Logger log = LoggerFactory.getLogger(LiveFeeds.class);

  /** Changes kept per thread for readers who resume. */
  static final int KEPT_PER_THREAD = 64;

  /** Feeds kept for threads nobody is subscribed to; the least recently used go first. */
  static final int IDLE_FEEDS = 4096;

  private final ReadModel readModel;
  private final int keptPerThread;
  private final int idleFeeds;
  private final Map<ThreadId, Feed> feeds = new LinkedHashMap<>(64, 0.75f, true);

  /** How many of {@link #feeds} have no subscriber: counted, so that a subscribe costs no scan. */
  private int idle;

  public LiveFeeds(ReadModel readModel) {
    this(readModel, KEPT_PER_THREAD, IDLE_FEEDS);
  }

  LiveFeeds(ReadModel readModel, int keptPerThread, int idleFeeds) {
    this.readModel = Objects.requireNonNull(readModel, "readModel");
    this.keptPerThread = keptPerThread;
    this.idleFeeds = idleFeeds;
  }

  private static final class Feed {
    /** The latest position of the thread this feed knows of. */
    long last;

    /** A reader who has every change up to here or later can resume from {@link #kept}. */
    long resumableFrom;

    final ArrayDeque<LiveUpdate> kept = new ArrayDeque<>();

    /** The subscribers, grouped by the executor that delivers to them. */
    final Map<Executor, Audience> audiences = new IdentityHashMap<>(2);

    Feed(long last, long resumableFrom) {
      this.last = last;
      this.resumableFrom = resumableFrom;
    }
  }

  /** One feed's subscribers that one executor delivers to. */
  private static final class Audience {
    final Executor executor;
    private final List<Gate> gates = new ArrayList<>(1);

    /** The gates as an array, taken again only after a change: updates outnumber subscribes. */
    private Gate[] snapshot;

    Audience(Executor executor) {
      this.executor = executor;
    }

    void add(Gate gate) {
      gates.add(gate);
      snapshot = null;
    }

    /** Whether no gate is left. */
    boolean remove(Gate gate) {
      gates.remove(gate);
      snapshot = null;
      return gates.isEmpty();
    }

    Gate[] gates() {
      if (snapshot == null) {
        snapshot = gates.toArray(Gate[]::new);
      }
      return snapshot;
    }
  }

  /** One subscriber, told of the updates after {@code from} until it is closed. */
  private static final class Gate {
    final Subscriber subscriber;
    final long from;
    volatile boolean open = true;

    Gate(Subscriber subscriber, long from) {
      this.subscriber = subscriber;
      this.from = from;
    }

    void deliver(LiveUpdate update) {
      if (!open || update.position() <= from) {
        return;
      }
      try {
        subscriber.deliver(update);
      } catch (RuntimeException e) {
        // One broken subscriber must not cost the others their update, nor the projection.
        log.warn("live subscriber failed on {} position {}", update.thread(), update.position(), e);
      }
    }
  }

  @Override
  public Subscription subscribe(
      ThreadId thread,
      OptionalLong since,
      ReadPreference readPreference,
      Executor deliverOn,
      Subscriber subscriber) {
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(readPreference, "readPreference");
    Objects.requireNonNull(deliverOn, "deliverOn");
    Objects.requireNonNull(subscriber, "subscriber");
    if (since.isPresent() && since.getAsLong() < BEFORE_FIRST) {
      throw new IllegalArgumentException("since must be at least " + BEFORE_FIRST);
    }
    // Read before the lock (it may load from the store). An event applied meanwhile creates the
    // feed, which then knows better than this.
    long stored = readModel.thread(thread, readPreference).seq();
    synchronized (this) {
      Feed feed = feeds.get(thread);
      if (feed == null) {
        feed = new Feed(stored, stored);
        feeds.put(thread, feed);
      } else if (feed.audiences.isEmpty()) {
        idle--;
      }
      long after = since.orElse(feed.last);
      boolean resync = after < feed.resumableFrom;
      if (resync) {
        after = feed.last;
      }
      Gate gate = new Gate(subscriber, after);
      List<LiveUpdate> replayed = new ArrayList<>();
      for (LiveUpdate update : feed.kept) {
        if (update.position() > after) {
          replayed.add(update);
        }
      }
      if (!replayed.isEmpty()) {
        deliverOn.execute(() -> replayed.forEach(gate::deliver));
      }
      Audience audience = feed.audiences.computeIfAbsent(deliverOn, Audience::new);
      audience.add(gate);
      Feed subscribed = feed;
      return new Subscription(feed.last, resync, () -> unsubscribe(subscribed, audience, gate));
    }
  }

  private synchronized void unsubscribe(Feed feed, Audience audience, Gate gate) {
    // Closed first: a delivery already handed to the executor skips it too.
    gate.open = false;
    // The map's removal is true once only, so a second close counts nothing.
    if (audience.remove(gate)
        && feed.audiences.remove(audience.executor, audience)
        && feed.audiences.isEmpty()) {
      idle++;
      evictIdle();
    }
  }

  /**
   * Records that {@code envelope} took the thread from {@code before} to {@code after}, and
   * delivers what readers see of it. Called by the projection on its thread, once per applied
   * event. A position the feed already passed (events applied again by a rebuild) is not news.
   */
  void applied(EventEnvelope envelope, ThreadState before, ThreadState after) {
    LiveUpdate update = updateOf(envelope, before, after, readModel.media());
    long position = envelope.seq();
    synchronized (this) {
      Feed feed = feeds.get(envelope.thread());
      if (feed == null) {
        feed = new Feed(position - 1, position - 1);
        feeds.put(envelope.thread(), feed);
        idle++;
        evictIdle();
      }
      if (position <= feed.last) {
        return;
      }
      feed.last = position;
      if (update == null) {
        return;
      }
      feed.kept.addLast(update);
      if (feed.kept.size() > keptPerThread) {
        feed.resumableFrom = feed.kept.removeFirst().position();
      }
      for (Audience audience : feed.audiences.values()) {
        Gate[] gates = audience.gates();
        try {
          audience.executor.execute(() -> deliver(update, gates));
        } catch (RuntimeException e) {
          // An executor that refuses (its thread is stopping) must not cost the others the update.
          log.warn("live delivery of {} position {} refused", envelope.stream(), position, e);
        }
      }
    }
  }

  private static void deliver(LiveUpdate update, Gate[] gates) {
    for (Gate gate : gates) {
      gate.deliver(update);
    }
  }

  /** How many threads have a feed: the bound on idle feeds is what it shows. */
  synchronized int feedCount() {
    return feeds.size();
  }

  /** Drops the least recently used feeds without a subscriber beyond {@link #idleFeeds}. */
  private void evictIdle() {
    Iterator<Feed> eldestFirst = feeds.values().iterator();
    while (idle > idleFeeds && eldestFirst.hasNext()) {
      if (eldestFirst.next().audiences.isEmpty()) {
        eldestFirst.remove();
        idle--;
      }
    }
  }

  /** What readers see of one event: null for an event they do not see (a flag). */
  private static LiveUpdate updateOf(
      EventEnvelope envelope, ThreadState before, ThreadState after, MediaShown media) {
    ThreadId thread = envelope.thread();
    long position = envelope.seq();
    return switch (envelope.commentEvent()) {
      case CommentPosted posted ->
          comment(thread, position, Kind.COMMENT_POSTED, posted.commentId(), before, after, media);
      case CommentEdited edited ->
          comment(thread, position, Kind.COMMENT_EDITED, edited.commentId(), before, after, media);
      case CommentDeleted deleted ->
          comment(
              thread, position, Kind.COMMENT_DELETED, deleted.commentId(), before, after, media);
      case CommentVoted voted -> {
        int at = after.positionOf(voted.commentId());
        if (at < 0) {
          yield null;
        }
        StoredComment comment = after.comments().get(at);
        yield new LiveUpdate(
            thread,
            position,
            Kind.VOTE_CHANGED,
            voted.voterId(),
            new VoteChange(
                comment.id(), comment.up(), comment.down(), voted.voterId(), voted.direction()));
      }
      case ThreadLocked l ->
          new LiveUpdate(thread, position, Kind.THREAD_LOCKED, null, new LockChange(true));
      case ThreadUnlocked u ->
          new LiveUpdate(thread, position, Kind.THREAD_UNLOCKED, null, new LockChange(false));
      case CommentFlagged f -> null;
      case CommentModerated moderated ->
          moderation(thread, position, moderated.commentId(), before, after, media);
      case CommentHeld held -> moderation(thread, position, held.commentId(), before, after, media);
    };
  }

  /**
   * A comment whose status or pin changed, as a page shows it now; nothing when readers neither saw
   * it before nor see it now (a pending comment rejected).
   */
  private static LiveUpdate moderation(
      ThreadId thread,
      long position,
      String commentId,
      ThreadState before,
      ThreadState after,
      MediaShown media) {
    int was = before.positionOf(commentId);
    int at = after.positionOf(commentId);
    if (at < 0
        || (!after.comments().get(at).listed()
            && (was < 0 || !before.comments().get(was).listed()))) {
      return null;
    }
    StoredComment comment = after.comments().get(at);
    String authorId = comment.author() == null ? null : comment.author().id();
    // The same view a page read now makes; the projection reads its catalogue's primary copy.
    CommentView view =
        comment.view(
            VoteDirection.NONE, List.of(), null, media.of(thread, comment, ReadPreference.PRIMARY));
    return new LiveUpdate(
        thread, position, Kind.COMMENT_MODERATED, authorId, new CommentChange(view));
  }

  /**
   * A comment as a page shows it after the change; nothing for a comment readers do not see (a
   * pending one). Its author is taken from before the change too, since a deleted comment no longer
   * names one but a reader who blocked its author must not see its removal either.
   */
  private static LiveUpdate comment(
      ThreadId thread,
      long position,
      Kind kind,
      String commentId,
      ThreadState before,
      ThreadState after,
      MediaShown media) {
    int at = after.positionOf(commentId);
    if (at < 0) {
      return null;
    }
    StoredComment comment = after.comments().get(at);
    if (!comment.listed()) {
      return null;
    }
    int was = before.positionOf(commentId);
    StoredComment earlier = was < 0 ? comment : before.comments().get(was);
    String authorId = earlier.author() == null ? null : earlier.author().id();
    // The same view a page read now makes; the projection reads its catalogue's primary copy.
    CommentView view =
        comment.view(
            VoteDirection.NONE, List.of(), null, media.of(thread, comment, ReadPreference.PRIMARY));
    return new LiveUpdate(thread, position, kind, authorId, new CommentChange(view));
  }
}
