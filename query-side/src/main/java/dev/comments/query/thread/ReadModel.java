package dev.comments.query.thread;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The node's threads in memory, in front of their durable copy in {@link ThreadViewStore}: two
 * Caffeine caches bounded in bytes, one of thread states, one of each viewer's votes in a thread.
 * Readers load a missing entry from the store; the projection, the only writer, writes each event
 * through to the store and then puts the new state here.
 *
 * <p>Why this stays coherent without locks of our own: a state is immutable, and Caffeine runs a
 * load and a put of the same key one after the other, so the projection's put, made after its store
 * writes, always lands after (and over) a load a reader started meanwhile. A failed write makes the
 * projection {@link #forget} the thread, so that its retry starts from what the store holds. {@link
 * #clear()} (a rebuild) starts new caches, so a load still running on the old ones lands nowhere.
 * Of the byte bound, threads get three quarters and viewers' votes a quarter.
 */
public final class ReadModel {
  private static final String THREADS = "threads";
  private static final String VIEWER_VOTES = "viewer_votes";

  private record ViewerKey(ThreadId thread, String viewerId) {}

  private record Caches(
      ThreadViewStore store,
      Cache<ThreadId, ThreadState> threads,
      Cache<ViewerKey, Map<String, VoteDirection>> viewerVotes) {}

  private final long maxBytes;
  private final MediaShown media;
  private volatile Caches caches;

  /** The statistics of caches a rebuild replaced, so that the counters never go back. */
  private final Map<String, CacheStats> retired = new ConcurrentHashMap<>();

  public ReadModel(ThreadViewStore store, long maxBytes, MeterRegistry meters) {
    this(store, maxBytes, meters, MediaShown.NONE_KNOWN);
  }

  /** Showing the media comments name as {@code media} knows them. */
  public ReadModel(ThreadViewStore store, long maxBytes, MeterRegistry meters, MediaShown media) {
    Objects.requireNonNull(store, "store");
    this.media = Objects.requireNonNull(media, "media");
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("maxBytes must be at least 1024");
    }
    this.maxBytes = maxBytes;
    this.caches = newCaches(store);
    register(meters, THREADS, c -> c.threads());
    register(meters, VIEWER_VOTES, c -> c.viewerVotes());
  }

  /**
   * The thread as this node holds it; loaded from the store with {@code readPreference} if need be.
   */
  ThreadState thread(ThreadId thread, ReadPreference readPreference) {
    Caches current = caches;
    return current.threads().get(thread, id -> current.store().load(id, readPreference));
  }

  /** What readers see of the media comments name. */
  MediaShown media() {
    return media;
  }

  /** The event of {@code thread} held in memory, if it is held and known; never loads. */
  OptionalLong heldSeq(ThreadId thread) {
    ThreadState state = caches.threads().getIfPresent(thread);
    return state == null || !state.known() ? OptionalLong.empty() : OptionalLong.of(state.seq());
  }

  /** The thread as the store's primary holds it: what the projection builds the next event on. */
  ThreadState exactThread(ThreadId thread) {
    Caches current = caches;
    Cache<ThreadId, ThreadState> threads = current.threads();
    ThreadState state = threads.get(thread, id -> current.store().load(id, ReadPreference.PRIMARY));
    if (!state.exact()) {
      state = current.store().load(thread, ReadPreference.PRIMARY);
      threads.put(thread, state);
    }
    return state;
  }

  /** The new state of a thread, already written through to the store. */
  void put(ThreadState state) {
    caches.threads().put(state.id(), state);
  }

  /** Drops a thread whose store writes failed half-way: the next use reloads it. */
  void forget(ThreadId thread) {
    caches.threads().invalidate(thread);
  }

  /** A viewer's votes in a thread, by comment id. */
  Map<String, VoteDirection> viewerVotes(
      ThreadId thread, String viewerId, ReadPreference readPreference) {
    Caches current = caches;
    return current
        .viewerVotes()
        .get(
            new ViewerKey(thread, viewerId),
            key -> current.store().viewerVotes(key.thread(), key.viewerId(), readPreference));
  }

  /** A viewer's votes in a thread if they are held in memory; never loads. */
  Optional<Map<String, VoteDirection>> heldViewerVotes(ThreadId thread, String viewerId) {
    return Optional.ofNullable(caches.viewerVotes().getIfPresent(new ViewerKey(thread, viewerId)));
  }

  /** A vote written through to the store: updates the viewer's votes if they are held. */
  void voted(ThreadId thread, String viewerId, String commentId, VoteDirection direction) {
    caches
        .viewerVotes()
        .asMap()
        .computeIfPresent(
            new ViewerKey(thread, viewerId),
            (key, votes) -> {
              Map<String, VoteDirection> updated = new HashMap<>(votes);
              if (direction == VoteDirection.NONE) {
                updated.remove(commentId);
              } else {
                updated.put(commentId, direction);
              }
              return Map.copyOf(updated);
            });
  }

  /** Forgets everything (the store is being rebuilt). */
  void clear() {
    switchTo(caches.store());
  }

  /**
   * Serves from {@code store} from now on, with empty caches: a rebuilt copy swapped in. A load
   * still running on the old caches lands in them, and nowhere a reader looks.
   */
  public synchronized void switchTo(ThreadViewStore store) {
    Objects.requireNonNull(store, "store");
    Caches old = caches;
    caches = newCaches(store);
    retired.merge(THREADS, old.threads().stats(), CacheStats::plus);
    retired.merge(VIEWER_VOTES, old.viewerVotes().stats(), CacheStats::plus);
  }

  /** The bytes held now, as weighed. */
  public long bytes() {
    Caches current = caches;
    return weighed(current.threads()) + weighed(current.viewerVotes());
  }

  /** Runs pending evictions; for tests that look at {@link #bytes()}. */
  public void cleanUp() {
    caches.threads().cleanUp();
    caches.viewerVotes().cleanUp();
  }

  private Caches newCaches(ThreadViewStore store) {
    Cache<ThreadId, ThreadState> threads =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes / 4 * 3)
            .<ThreadId, ThreadState>weigher((id, state) -> saturated(state.weight()))
            .recordStats()
            .build();
    Cache<ViewerKey, Map<String, VoteDirection>> viewerVotes =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes / 4)
            .<ViewerKey, Map<String, VoteDirection>>weigher(
                (key, votes) ->
                    saturated(200L + 2L * key.viewerId().length() + 120L * votes.size()))
            .recordStats()
            .build();
    return new Caches(store, threads, viewerVotes);
  }

  private void register(MeterRegistry meters, String cache, Function<Caches, Cache<?, ?>> which) {
    Tags tags = Tags.of("cache", cache);
    ToDoubleFunction<Function<CacheStats, Long>> total =
        stat ->
            stat.apply(which.apply(caches).stats())
                + stat.apply(retired.getOrDefault(cache, CacheStats.empty()));
    counter(
        meters,
        "comments.readmodel.hits",
        "reads answered from memory",
        tags,
        m -> total.applyAsDouble(CacheStats::hitCount));
    counter(
        meters,
        "comments.readmodel.misses",
        "reads that loaded from the store",
        tags,
        m -> total.applyAsDouble(CacheStats::missCount));
    counter(
        meters,
        "comments.readmodel.evictions",
        "entries evicted to stay within the bound",
        tags,
        m -> total.applyAsDouble(CacheStats::evictionCount));
    Gauge.builder("comments.readmodel.bytes", this, m -> weighed(which.apply(m.caches)))
        .description("heap bytes held, as weighed")
        .baseUnit("bytes")
        .tags(tags)
        .register(meters);
  }

  private void counter(
      MeterRegistry meters,
      String name,
      String description,
      Tags tags,
      ToDoubleFunction<ReadModel> value) {
    FunctionCounter.builder(name, this, value).description(description).tags(tags).register(meters);
  }

  private static long weighed(Cache<?, ?> cache) {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  private static int saturated(long weight) {
    return (int) Math.min(Integer.MAX_VALUE, weight);
  }
}
