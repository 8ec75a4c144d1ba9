package dev.comments.edge.live;

import dev.comments.events.ThreadId;
import dev.comments.query.BlockedUsers;
import dev.comments.query.ModerationQueue;
import dev.comments.query.ThreadFeeds;
import dev.comments.query.ThreadQueries;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's live readers: who is connected from where, who follows which thread, and the two timers
 * every connection shares (pings, and debounced presence), so that ten thousand idle readers cost
 * no thread of their own.
 */
public final class LiveHub implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveHub.class);

  private final ThreadFeeds feeds;
  private final ThreadQueries queries;
  private final BlockedUsers blocked;
  private final ModerationQueue moderationQueue;
  private final LiveLimits limits;
  private final LiveMessages messages = new LiveMessages();
  private final IoHandOff handOff = new IoHandOff();
  private final Metrics metrics;
  private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
  private final Set<LiveConnection> connections = ConcurrentHashMap.newKeySet();
  private final Map<ThreadId, Set<LiveConnection.Following>> byThread = new ConcurrentHashMap<>();
  private final Set<ThreadId> presenceChanged = ConcurrentHashMap.newKeySet();
  private final Set<LiveConnection> queueWatchers = ConcurrentHashMap.newKeySet();
  private volatile RemoteViewers remote = RemoteViewers.NONE;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> Thread.ofPlatform().daemon().name("live-timer").unstarted(runnable));

  public LiveHub(
      ThreadFeeds feeds,
      ThreadQueries queries,
      BlockedUsers blocked,
      LiveLimits limits,
      MeterRegistry meters) {
    this(feeds, queries, blocked, ModerationQueue.NONE, limits, meters);
  }

  /** With {@code moderationQueue}, whose changes moderators follow live. */
  public LiveHub(
      ThreadFeeds feeds,
      ThreadQueries queries,
      BlockedUsers blocked,
      ModerationQueue moderationQueue,
      LiveLimits limits,
      MeterRegistry meters) {
    this.feeds = Objects.requireNonNull(feeds, "feeds");
    this.queries = Objects.requireNonNull(queries, "queries");
    this.blocked = Objects.requireNonNull(blocked, "blocked");
    this.moderationQueue = Objects.requireNonNull(moderationQueue, "moderationQueue");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.metrics = new Metrics(meters);
    Gauge.builder("comments.live.connections", connections, Set::size).register(meters);
    Gauge.builder(
            "comments.live.subscriptions",
            byThread,
            map -> map.values().stream().mapToInt(Set::size).sum())
        .register(meters);
    Gauge.builder("comments.live.queue.watchers", queueWatchers, Set::size).register(meters);
    long presence = limits.presenceInterval().toMillis();
    timer.scheduleWithFixedDelay(
        this::pushPresenceOrLog, presence, presence, TimeUnit.MILLISECONDS);
    // A dismissed moderator's queue closes within this, even while the queue is quiet.
    timer.scheduleWithFixedDelay(this::recheckWatchers, presence, presence, TimeUnit.MILLISECONDS);
    long ping = limits.pingInterval().toMillis();
    timer.scheduleWithFixedDelay(this::tick, ping, ping, TimeUnit.MILLISECONDS);
  }

  /** The live meters: connections and subscriptions now, readers who fell behind. */
  static final class Metrics {
    final Counter behind;
    final Counter closedBehind;
    final Counter written;
    final Counter failed;
    private final MeterRegistry meters;

    private Metrics(MeterRegistry meters) {
      this.meters = meters;
      this.written = meters.counter("comments.live.messages", "outcome", "written");
      this.failed = meters.counter("comments.live.messages", "outcome", "failed");
      this.behind = meters.counter("comments.live.behind");
      this.closedBehind = meters.counter("comments.live.closed.behind");
    }

    void refused(String reason) {
      meters.counter("comments.live.refused", "reason", reason).increment();
    }
  }

  LiveLimits limits() {
    return limits;
  }

  ThreadFeeds feeds() {
    return feeds;
  }

  ThreadQueries queries() {
    return queries;
  }

  BlockedUsers blocked() {
    return blocked;
  }

  ModerationQueue moderationQueue() {
    return moderationQueue;
  }

  LiveMessages messages() {
    return messages;
  }

  IoHandOff handOff() {
    return handOff;
  }

  Metrics metrics() {
    return metrics;
  }

  /**
   * Takes a place for one more connection from {@code address}, or says there is none. Each place
   * taken is given back by {@link #release}, or by the connection's close.
   */
  boolean admit(String address) {
    // Counted and checked in one step for the address, so that a release in between cannot take
    // away a place just counted.
    boolean[] admitted = {false};
    perAddress.compute(
        address,
        (a, count) -> {
          int open = count == null ? 0 : count;
          if (open >= limits.connectionsPerAddress()) {
            return count;
          }
          admitted[0] = true;
          return open + 1;
        });
    if (!admitted[0]) {
      metrics.refused("connections-per-address");
    }
    return admitted[0];
  }

  void release(String address) {
    perAddress.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
  }

  /** A connection admitted for {@code address}; {@code viewerId} is its session, or null. */
  LiveConnection connected(Outlet outlet, String address, String viewerId) {
    LiveConnection connection = new LiveConnection(outlet, this, address, viewerId);
    connections.add(connection);
    return connection;
  }

  void disconnected(LiveConnection connection) {
    if (connections.remove(connection)) {
      release(connection.address());
    }
  }

  void followed(LiveConnection.Following follow) {
    byThread.computeIfAbsent(follow.thread, t -> ConcurrentHashMap.newKeySet()).add(follow);
    presenceChanged.add(follow.thread);
  }

  void unfollowed(LiveConnection.Following follow) {
    byThread.computeIfPresent(
        follow.thread,
        (t, followers) -> {
          followers.remove(follow);
          return followers.isEmpty() ? null : followers;
        });
    presenceChanged.add(follow.thread);
  }

  void watched(LiveConnection connection) {
    queueWatchers.add(connection);
  }

  void unwatched(LiveConnection connection) {
    queueWatchers.remove(connection);
  }

  private void recheckWatchers() {
    queueWatchers.forEach(connection -> connection.onIoThread(connection::recheck));
  }

  /**
   * Counts the readers of the deployment's other nodes in every {@code presence} message from now
   * on.
   */
  public void countRemote(RemoteViewers remote) {
    this.remote = Objects.requireNonNull(remote, "remote");
  }

  /** This node's readers per thread, only threads that have any: what its peers are told. */
  public Map<ThreadId, Integer> localViewers() {
    Map<ThreadId, Integer> viewers = new HashMap<>();
    byThread.forEach(
        (thread, followers) -> {
          int count = followers.size();
          if (count > 0) {
            viewers.put(thread, count);
          }
        });
    return viewers;
  }

  /** A round that fails must not end the timer's later rounds. */
  private void pushPresenceOrLog() {
    try {
      pushPresence();
    } catch (RuntimeException e) {
      log.warn("a presence round failed", e);
    }
  }

  /**
   * One presence round: every thread whose readers here or on another node changed since the last
   * round is pushed to its readers here, once, with the deployment's total; a reader already told
   * that total is sent nothing.
   */
  void pushPresence() {
    RemoteViewers others = remote;
    for (ThreadId thread : others.changed()) {
      presenceChanged.add(thread);
    }
    for (Iterator<ThreadId> changed = presenceChanged.iterator(); changed.hasNext(); ) {
      ThreadId thread = changed.next();
      // Removed before it is read: a change meanwhile marks it again for the next round.
      changed.remove();
      Set<LiveConnection.Following> followers = byThread.get(thread);
      if (followers != null) {
        int local = followers.size();
        int viewers = local + others.viewers(thread);
        followers.forEach(follow -> follow.presence(viewers, local));
      }
    }
  }

  private void tick() {
    long now = System.nanoTime();
    connections.forEach(connection -> connection.onIoThread(() -> connection.tick(now)));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    connections.forEach(connection -> connection.close(1001, "the node is shutting down"));
  }
}
