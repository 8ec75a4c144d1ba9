package dev.comments.edge.live;

import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.query.LiveUpdate;
import dev.comments.query.LiveUpdate.VoteChange;
import dev.comments.query.ModerationQueue;
import dev.comments.query.ModerationQueue.QueueChange;
import dev.comments.query.ThreadFeeds;
import dev.comments.query.ThreadFeeds.Subscription;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * One reader's websocket or event stream: the threads it follows and its bounded outgoing queue.
 *
 * <p>Updates arrive on the connection's IO thread, through its {@linkplain IoHandOff lane}, in
 * order, and are written there; other messages are handed to the same lane. At most {@link
 * LiveLimits#queuedMessages()} are handed over and not yet written; past that the reader is behind:
 * it is sent nothing more until what it has is written, then one {@code resync} per followed thread
 * (reload, then apply what follows), so a slow reader costs bounded memory and never sees a silent
 * gap. A reader that stays behind is closed by {@link #tick}.
 *
 * <p>A moderator's connection {@linkplain #watchQueue watches} its tenant's moderation queue
 * instead, through the same queue, with the same rules.
 */
final class LiveConnection {
  static final int CLOSE_BEHIND = 4408;

  private final Outlet outlet;

  /** The outlet's IO thread's lane: every message of this connection is written from it. */
  private final Executor lane;

  private final LiveHub hub;
  private final String address;
  private final String viewerId;
  private final Map<ThreadId, Following> following = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean behind = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile long behindSince;
  private volatile Watching watching;

  LiveConnection(Outlet outlet, LiveHub hub, String address, String viewerId) {
    this.outlet = outlet;
    this.lane = hub.handOff().lane(outlet.ioThread());
    this.hub = hub;
    this.address = address;
    this.viewerId = viewerId;
  }

  String address() {
    return address;
  }

  int followedCount() {
    return following.size();
  }

  boolean follows(ThreadId thread) {
    return following.containsKey(thread);
  }

  /** One followed thread: the feed's subscriber for this connection. */
  final class Following implements ThreadFeeds.Subscriber {
    final ThreadId thread;
    private final Map<String, VoteDirection> myVotes;

    /**
     * The thread's latest position this reader was told of; presence and resync carry it. Only
     * raised: the subscribing worker and the IO thread's replay may both move it.
     */
    private final AtomicLong position = new AtomicLong(ThreadFeeds.BEFORE_FIRST);

    private Subscription subscription;

    private Following(ThreadId thread, Map<String, VoteDirection> myVotes) {
      this.thread = thread;
      this.myVotes = myVotes;
    }

    /** Called in the connection's IO thread's lane: the update is written from here. */
    @Override
    public void deliver(LiveUpdate update) {
      reached(update.position());
      if (viewerId != null
          && update.authorId() != null
          && hub.blocked().isBlocked(thread.tenant(), viewerId, update.authorId())) {
        // Not for this reader; its position still moves, so a resume skips it too.
        return;
      }
      VoteDirection mine = VoteDirection.NONE;
      if (update.payload() instanceof VoteChange vote && viewerId != null) {
        if (viewerId.equals(vote.voterId())) {
          myVotes.put(vote.commentId(), vote.direction());
        }
        mine = myVotes.getOrDefault(vote.commentId(), VoteDirection.NONE);
      }
      if (behind.get() || closed.get()) {
        return;
      }
      if (!takePlace()) {
        fellBehind();
        return;
      }
      // Written at once: the lane ran every message handed to it before this update.
      write(
          hub.messages().update(update, mine),
          update.kind().wireName(),
          Long.toString(update.position()));
    }

    long position() {
      return position.get();
    }

    private void reached(long at) {
      position.accumulateAndGet(at, Math::max);
    }

    /** The deployment's total this reader was last sent; read and written by presence rounds. */
    private int toldViewers = -1;

    /**
     * Presence goes through the same queue, but is skipped rather than queued when full, and not
     * sent at all when this reader was told the same total already.
     */
    void presence(int viewers, int local) {
      if (viewers != toldViewers && !behind.get() && !closed.get()) {
        if (offer(LiveMessages.presence(thread, position(), viewers, local), "presence", null)) {
          toldViewers = viewers;
        }
      }
    }
  }

  /** A moderator's watch of the tenant's moderation queue: its subscriber for this connection. */
  private final class Watching implements ModerationQueue.QueueSubscriber {
    private final BooleanSupplier allowed;
    private ModerationQueue.QueueSubscription subscription;

    private Watching(BooleanSupplier allowed) {
      this.allowed = allowed;
    }

    @Override
    public void deliver(QueueChange change) {
      // A dismissed moderator is sent nothing more; recheck closes the connection.
      if (behind.get() || closed.get() || !allowed.getAsBoolean()) {
        return;
      }
      if (!offer(hub.messages().queueChange(change), "queue-changed", null)) {
        fellBehind();
      }
    }
  }

  /**
   * Watches {@code tenant}'s moderation queue: subscribes, then says {@code subscribed}, after
   * which a read of the queue misses nothing that follows. {@code allowed} says whether the
   * credential still moderates the tenant; once it does not, nothing more is sent and {@link
   * #recheck} closes.
   */
  void watchQueue(String tenant, BooleanSupplier allowed) {
    if (watching != null || closed.get()) {
      return;
    }
    Watching watch = new Watching(allowed);
    watch.subscription = hub.moderationQueue().subscribe(tenant, watch);
    watching = watch;
    offer(LiveMessages.queueSubscribed(), "subscribed", null);
    hub.watched(this);
    if (closed.get()) {
      unwatch();
    }
  }

  /** Closes a moderator's connection (4401) once its credential no longer moderates the tenant. */
  void recheck() {
    Watching watch = watching;
    if (watch != null && !closed.get() && !watch.allowed.getAsBoolean()) {
      hub.metrics().refused("4401");
      close(4401, "moderator_token_invalid: the moderator was dismissed");
    }
  }

  private void unwatch() {
    Watching watch = watching;
    watching = null;
    if (watch != null) {
      watch.subscription.close();
      hub.unwatched(this);
    }
  }

  /**
   * Follows {@code thread} from {@code since} (or from now): replayed updates first, then a {@code
   * subscribed} message, or a {@code resync} when the node no longer holds what came after {@code
   * since}. Runs on a worker thread: finding the thread's position may read the store.
   *
   * @throws IllegalArgumentException when {@code since} is not a position
   */
  void follow(ThreadId thread, OptionalLong since) {
    if (following.containsKey(thread) || closed.get()) {
      return;
    }
    Map<String, VoteDirection> votes = new ConcurrentHashMap<>();
    if (viewerId != null) {
      votes.putAll(hub.queries().votesOf(thread, viewerId, ReadPreference.NEAREST));
    }
    Following follow = new Following(thread, votes);
    if (following.putIfAbsent(thread, follow) != null) {
      return;
    }
    Subscription subscription;
    try {
      subscription = hub.feeds().subscribe(thread, since, ReadPreference.NEAREST, lane, follow);
    } catch (RuntimeException e) {
      following.remove(thread);
      throw e;
    }
    follow.subscription = subscription;
    // The replay, on the IO thread, may run before or after this: the position only rises.
    follow.reached(subscription.position());
    offer(
        LiveMessages.subscribed(thread, subscription.position(), !subscription.resync()),
        "subscribed",
        null);
    if (subscription.resync()) {
      offer(
          LiveMessages.resync(thread, subscription.position(), "position-not-held"),
          "resync",
          Long.toString(subscription.position()));
    }
    hub.followed(follow);
    if (closed.get()) {
      unfollow(thread);
    }
  }

  /**
   * {@link #follow} on a worker thread of {@code worker}, never the IO thread; a failure closes the
   * connection (1011), since the reader cannot be told of changes it is not subscribed to.
   */
  void followOn(Executor worker, ThreadId thread, OptionalLong since) {
    worker.execute(
        () -> {
          try {
            follow(thread, since);
          } catch (RuntimeException e) {
            close(1011, "could not subscribe to " + thread.thread());
          }
        });
  }

  void unfollow(ThreadId thread) {
    Following follow = following.remove(thread);
    if (follow != null) {
      if (follow.subscription != null) {
        follow.subscription.close();
      }
      hub.unfollowed(follow);
    }
  }

  /** An error about one request of the client; the connection stays open. */
  void error(ThreadId thread, String code, String message) {
    offer(LiveMessages.error(thread, code, message), "error", null);
  }

  void onIoThread(Runnable task) {
    outlet.ioThread().execute(task);
  }

  /** Called every ping interval on the IO thread. */
  void tick(long nowNanos) {
    if (closed.get()) {
      return;
    }
    if (behind.get() && nowNanos - behindSince > hub.limits().behindTimeout().toNanos()) {
      hub.metrics().closedBehind.increment();
      close(CLOSE_BEHIND, "too far behind: reconnect with since=<last position>");
      return;
    }
    outlet.ping();
  }

  void close(int code, String reason) {
    if (!closed.get()) {
      outlet.close(code, reason);
      closed();
    }
  }

  /** The transport is gone: stop every subscription. Safe to call more than once. */
  void closed() {
    if (closed.compareAndSet(false, true)) {
      for (ThreadId thread : following.keySet()) {
        unfollow(thread);
      }
      unwatch();
      hub.disconnected(this);
    }
  }

  /**
   * Takes a place in the queue and hands the message to the IO thread, or says the queue is full: a
   * message that is not an update is then dropped, an update makes the reader behind.
   */
  private boolean offer(byte[] json, String type, String id) {
    return offer(LiveFrame.of(json), type, id);
  }

  /** As {@link #offer(byte[], String, String)}, for a frame that may be shared by many readers. */
  private boolean offer(LiveFrame frame, String type, String id) {
    if (!takePlace()) {
      return false;
    }
    lane.execute(() -> write(frame, type, id));
    return true;
  }

  /** Takes a place in the queue for one message, which {@link #written} gives back. */
  private boolean takePlace() {
    if (inFlight.incrementAndGet() > hub.limits().queuedMessages()) {
      inFlight.decrementAndGet();
      return false;
    }
    return true;
  }

  /** An update found the queue full: nothing more until it drains, then a resync. */
  private void fellBehind() {
    if (behind.compareAndSet(false, true)) {
      behindSince = System.nanoTime();
      hub.metrics().behind.increment();
    }
  }

  private void write(LiveFrame frame, String type, String id) {
    if (closed.get()) {
      written(false);
      return;
    }
    outlet.send(frame, type, id, this::written);
  }

  private void written(boolean ok) {
    (ok ? hub.metrics().written : hub.metrics().failed).increment();
    if (inFlight.decrementAndGet() == 0 && behind.compareAndSet(true, false)) {
      // Drained: whatever the reader missed, a reload now shows it, since every update it missed
      // was applied before it was offered here.
      for (Following follow : following.values()) {
        offer(
            LiveMessages.resync(follow.thread, follow.position(), "behind"),
            "resync",
            Long.toString(follow.position()));
      }
      if (watching != null) {
        offer(LiveMessages.queueResync("behind"), "resync", null);
      }
    }
  }
}
