package dev.comments.geodns.geo;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link GeoIndex} and replaces it, whole, when the database file changes or the
 * schedule says so. Queries read the old index until the new one is complete; a rebuild that fails
 * keeps the old one, logs why and sets {@code geodns.index.rebuild.failing} to 1.
 *
 * <p>The file is polled (modification time, size and file key) rather than watched: a WatchService
 * misses a file replaced through a symbolic link (as Kubernetes mounts and {@code geoipupdate} do)
 * and reports a half-written file, while a poll every few seconds costs one {@code stat}.
 */
public final class GeoIndexReloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GeoIndexReloader.class);

  private final Path database;
  private final Coordinates fallback;
  private final Duration rebuildEvery;
  private final Clock clock;
  private final AtomicReference<GeoIndex> current = new AtomicReference<>();
  private final Object swap = new Object();
  private final Counter rebuilt;
  private final Counter failed;
  private final AtomicInteger failing = new AtomicInteger();
  private volatile List<Site> latestSites;
  private volatile FileStamp lastAttempted;
  private volatile Instant lastAttemptAt;
  private ScheduledExecutorService poller;

  /**
   * Builds the first index now, so that a broken database stops the start.
   *
   * @throws IndexBuildException when the database is unusable
   */
  public GeoIndexReloader(
      Path database,
      Coordinates fallback,
      List<Site> sites,
      Duration rebuildEvery,
      Clock clock,
      MeterRegistry meters) {
    this.database = Objects.requireNonNull(database, "database");
    this.fallback = Objects.requireNonNull(fallback, "fallback");
    this.rebuildEvery = Objects.requireNonNull(rebuildEvery, "rebuildEvery");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.latestSites = List.copyOf(sites);
    this.lastAttempted = FileStamp.of(database);
    this.lastAttemptAt = clock.instant();
    GeoIndex first = GeoIndex.build(database, latestSites, fallback, lastAttemptAt);
    current.set(first);
    LOG.info(
        "GeoIP index built from {} ({}): {} networks, {} locations",
        database,
        first.databaseType(),
        first.networkCount(),
        first.locationCount());
    this.rebuilt = meters.counter("geodns.index.rebuilds", "outcome", "success");
    this.failed = meters.counter("geodns.index.rebuilds", "outcome", "failure");
    Gauge.builder("geodns.index.rebuild.failing", failing, AtomicInteger::get)
        .description("1 while the last rebuild failed and an older index is being served")
        .register(meters);
    Gauge.builder("geodns.index.networks", current, ref -> ref.get().networkCount())
        .register(meters);
    Gauge.builder(
            "geodns.index.age.seconds",
            current,
            ref -> Duration.between(ref.get().builtAt(), clock.instant()).toSeconds())
        .register(meters);
  }

  /** The index now, for lookups that do not care which nodes it ranks. */
  public GeoIndex current() {
    return current.get();
  }

  /**
   * The index ranked over exactly these sites (sorted by id by the caller). A node that joins or
   * moves re-ranks the kept networks at once, without reading the database again.
   */
  public GeoIndex current(List<Site> sites) {
    GeoIndex index = current.get();
    if (index.sites().equals(sites)) {
      return index;
    }
    synchronized (swap) {
      latestSites = List.copyOf(sites);
      index = current.get();
      if (!index.sites().equals(sites)) {
        index = index.withSites(sites);
        current.set(index);
      }
      return index;
    }
  }

  /** Rebuilds if the file changed since the last attempt or the schedule is due. */
  public boolean reloadIfDue() {
    FileStamp stamp = FileStamp.of(database);
    boolean changed = !stamp.equals(lastAttempted);
    boolean due = !clock.instant().isBefore(lastAttemptAt.plus(rebuildEvery));
    return (changed || due) && reload();
  }

  /**
   * Rebuilds now. Returns whether the new index is being served; on failure the old one is. Each
   * file version is tried once, so a broken file is reported once rather than on every poll.
   */
  public boolean reload() {
    lastAttempted = FileStamp.of(database);
    lastAttemptAt = clock.instant();
    GeoIndex built;
    try {
      built = GeoIndex.build(database, latestSites, fallback, lastAttemptAt);
    } catch (IndexBuildException e) {
      failed.increment();
      failing.set(1);
      LOG.error(
          "GeoIP index rebuild FAILED, still answering from the index built at {}: {}",
          current.get().builtAt(),
          e.getMessage(),
          e);
      return false;
    }
    synchronized (swap) {
      current.set(built.sites().equals(latestSites) ? built : built.withSites(latestSites));
    }
    rebuilt.increment();
    failing.set(0);
    LOG.info(
        "GeoIP index rebuilt from {}: {} networks, {} locations",
        database,
        built.networkCount(),
        built.locationCount());
    return true;
  }

  /** Starts polling the file and the schedule on a daemon thread of its own. */
  public synchronized void watch(Duration every) {
    if (poller != null) {
      return;
    }
    poller =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("geodns-index").daemon().factory());
    long millis = every.toMillis();
    poller.scheduleWithFixedDelay(this::pollSafely, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void pollSafely() {
    try {
      reloadIfDue();
    } catch (RuntimeException e) {
      // An unexpected failure must not end the schedule, which would freeze the index for good.
      LOG.error("GeoIP index poll failed", e);
    }
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
      poller = null;
    }
  }

  /** What identifies one version of the file; a missing file is a version too (and fails). */
  private record FileStamp(long modifiedMillis, long size, Object fileKey) {
    static FileStamp of(Path path) {
      try {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        return new FileStamp(
            attributes.lastModifiedTime().toMillis(), attributes.size(), attributes.fileKey());
      } catch (IOException e) {
        return new FileStamp(-1, -1, null);
      }
    }
  }
}
