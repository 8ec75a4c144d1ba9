package dev.comments.query;

import com.mongodb.MongoNamespace;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import dev.comments.events.ReadPreference;
import dev.comments.query.audit.AuditProjection;
import dev.comments.query.audit.AuditStore;
import dev.comments.query.audit.MongoAuditLog;
import dev.comments.query.ban.BanProjection;
import dev.comments.query.media.MediaProjection;
import dev.comments.query.media.MediaStore;
import dev.comments.query.moderation.QueueBans;
import dev.comments.query.moderation.QueueStore;
import dev.comments.query.projection.AppliedEvents;
import dev.comments.query.projection.ConsumerStatus;
import dev.comments.query.projection.DatabaseOwner;
import dev.comments.query.projection.DeadLetters;
import dev.comments.query.projection.Generations;
import dev.comments.query.projection.OffsetStore;
import dev.comments.query.projection.Projection;
import dev.comments.query.projection.ProjectionConsumer;
import dev.comments.query.projection.ProjectionMetrics;
import dev.comments.query.projection.ProjectionSet;
import dev.comments.query.projection.Stores;
import dev.comments.query.thread.LiveFeeds;
import dev.comments.query.thread.MediaShown;
import dev.comments.query.thread.MongoThreadQueries;
import dev.comments.query.thread.ReadModel;
import dev.comments.query.thread.ThreadProjection;
import dev.comments.query.thread.ThreadViewStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's query side, assembled: the projection consumer on its own thread, the projections it
 * feeds in the node's MongoDB (the thread view and the audit log), the queries answered from them,
 * and their rebuilds. The launcher starts one per node and closes it on shutdown.
 *
 * <p>A rebuild fills a shadow copy of one projection (the next generation's collections) from the
 * start of the log with a consumer of its own, while the live copy goes on serving and applying.
 * Once the shadow has caught up, the live consumer stops, the copy is swapped in (the read model
 * switches to it with empty caches, in one step), and the live consumer starts again from the lower
 * of the two consumers' positions on each partition: the projections are idempotent, so what either
 * had applied already is applied again as a duplicate, and nothing is missed. The old copy is
 * dropped a little later, once no read can still be loading from it.
 */
public final class QuerySide implements AutoCloseable, ProjectionAdmin {
  private static final Logger log = LoggerFactory.getLogger(QuerySide.class);

  public static final String THREADS = "threads";
  public static final String MEDIA = "media";
  public static final String BANS = "bans";
  public static final String AUDIT = "audit";

  /**
   * The projections an operator can rebuild; the media catalog is small and rebuilt with a reset.
   */
  private static final List<String> REBUILDABLE = List.of(THREADS, AUDIT);

  /** How long an old copy stays after a swap, for reads that were loading from it. */
  static final Duration DROP_OLD_AFTER = Duration.ofSeconds(30);

  private static final Duration PROGRESS_EVERY = Duration.ofMillis(100);

  private final QuerySideSettings settings;
  private final MongoDatabase database;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;
  private final Clock clock;
  private final ReadModel readModel;
  private final LiveFeeds feeds;
  private final MediaProjection media;
  private final ProjectionSet projections;
  private final DeadLetters deadLetters;
  private final Generations generations;
  private final OffsetStore offsets;
  private final AppliedEvents events;
  private final ConsumerStatus status;
  private final ProjectionMetrics metrics;
  private final ThreadQueries queries;
  private final AuditLog audit;
  private final Map<String, Integer> versions =
      Map.of(THREADS, ThreadProjection.VERSION, AUDIT, AuditProjection.VERSION);
  private final Map<String, Copy> live = new ConcurrentHashMap<>();
  private final Map<String, Rebuild> rebuilds = new ConcurrentHashMap<>();
  private final Map<String, Progress> lastRebuild = new ConcurrentHashMap<>();

  /** The live generation's queue: swapped with the thread view that writes it. */
  private volatile QueueStore moderationQueue;

  private final BanProjection bans;
  private ProjectionConsumer consumer;
  private boolean closed;

  /** One generation of one projection: its collections and the projection writing them. */
  private sealed interface Copy {
    int generation();

    Projection projection();

    Map<String, MongoCollection<Document>> collections(ReadPreference readPreference);

    /** The names of every collection the copy writes. */
    default List<String> names() {
      return collections(ReadPreference.PRIMARY).values().stream()
          .map(c -> c.getNamespace().getCollectionName())
          .toList();
    }

    void drop();
  }

  /**
   * The thread view and the moderators' queue its projection writes. The checksum covers the thread
   * view alone: a ban and its author's comments are in different streams, whose relative order two
   * consumers may see differently, and the queue keeps what a ban did.
   */
  private record ThreadsCopy(
      int generation, ThreadViewStore store, QueueStore queue, ThreadProjection projection)
      implements Copy {
    @Override
    public Map<String, MongoCollection<Document>> collections(ReadPreference readPreference) {
      return store.collections(readPreference);
    }

    @Override
    public List<String> names() {
      List<String> names = new ArrayList<>(Copy.super.names());
      names.add(queue.collectionName());
      return names;
    }

    @Override
    public void drop() {
      store.drop();
      queue.drop();
    }
  }

  private record AuditCopy(int generation, AuditStore store, AuditProjection projection)
      implements Copy {
    @Override
    public Map<String, MongoCollection<Document>> collections(ReadPreference readPreference) {
      return store.collections(readPreference);
    }

    @Override
    public void drop() {
      store.drop();
    }
  }

  private QuerySide(
      QuerySideSettings settings,
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences,
      MeterRegistry meters,
      Clock clock) {
    this.settings = settings;
    this.readPreferences = readPreferences;
    this.clock = clock;
    new DatabaseOwner(database, readPreferences)
        .claim(settings.nodeId(), clock, ReadPreference.PRIMARY);
    // A batch's projection writes are acknowledged once a majority applied them, not once it
    // journaled them; the offsets write that ends the batch waits for the journal, which then holds
    // the whole batch. On the embedded store that makes a batch one commit instead of one per
    // write.
    this.database = database.withWriteConcern(WriteConcern.MAJORITY.withJournal(false));
    this.generations =
        new Generations(
            database.getCollection(Generations.COLLECTION).withWriteConcern(WriteConcern.MAJORITY),
            readPreferences);
    this.deadLetters =
        new DeadLetters(database.getCollection(DeadLetters.COLLECTION), clock, readPreferences);
    int threadsGeneration = liveGeneration(THREADS);
    int auditGeneration = liveGeneration(AUDIT);
    ThreadViewStore store =
        new ThreadViewStore(
            this.database, readPreferences, Generations.suffixOf(threadsGeneration));
    // Before the read model, which shows the media comments name as this catalogue knows them.
    this.media =
        new MediaProjection(
            new MediaStore(
                database.withWriteConcern(WriteConcern.MAJORITY.withJournal(false)),
                readPreferences));
    this.readModel = new ReadModel(store, settings.readModelBytes(), meters, new MediaShown(media));
    this.feeds = new LiveFeeds(readModel);
    // Before the queue, which asks it whether a pending comment's author is banned; it hides
    // pending
    // comments in whichever queue is live when a ban arrives.
    this.bans =
        new BanProjection(
            database.withWriteConcern(WriteConcern.MAJORITY.withJournal(false)),
            readPreferences,
            () -> moderationQueue);
    this.moderationQueue = queueOf(threadsGeneration);
    ThreadsCopy threads =
        new ThreadsCopy(
            threadsGeneration,
            store,
            moderationQueue,
            new ThreadProjection(store, readModel, feeds, moderationQueue));
    AuditCopy auditCopy = auditCopy(auditGeneration);
    live.put(THREADS, threads);
    live.put(AUDIT, auditCopy);
    Map<String, Projection> members = new LinkedHashMap<>();
    members.put(THREADS, threads.projection());
    members.put(MEDIA, media);
    members.put(BANS, bans);
    members.put(AUDIT, auditCopy.projection());
    this.projections = new ProjectionSet(members, deadLetters);
    this.offsets =
        new OffsetStore(
            database.getCollection(OffsetStore.COLLECTION).withWriteConcern(WriteConcern.MAJORITY),
            settings.nodeId(),
            clock,
            readPreferences);
    if (ThreadViewStore.holdsAnOlderModel(collectionNames())) {
      // Earlier versions kept the view in collections that need scans: rebuild it from the log.
      log.info("{} holds an older thread view; rebuilding it from the log", settings.database());
      projections.reset();
      offsets.reset();
    }
    store.createIndexes();
    auditCopy.store().createIndexes();
    moderationQueue.createIndexes();
    this.events = new AppliedEvents();
    this.status = new ConsumerStatus(clock);
    this.metrics = new ProjectionMetrics(meters, settings.topic(), status);
    this.queries = new MongoThreadQueries(readModel, events);
    this.audit =
        new MongoAuditLog(() -> ((AuditCopy) live.get(AUDIT)).store(), new MediaShown(media));
    registerRebuildMeters(meters);
  }

  /**
   * Starts consuming the event log into the projections. Returns at once: the consumer finds (or
   * waits for) the topic in the background, and {@link #status()} says when it has caught up. A
   * projection whose live copy was built by an older version of its code is rebuilt.
   */
  public static QuerySide start(
      QuerySideSettings settings, MongoClient mongo, MeterRegistry meters, Clock clock) {
    return start(settings, mongo, Stores.UNTAGGED, meters, clock);
  }

  /**
   * As {@link #start(QuerySideSettings, MongoClient, MeterRegistry, Clock)}, reading MongoDB with
   * the node's mapping of read preferences to the driver's: the node knows its region, and {@code
   * nearest} reads prefer the members tagged with it.
   */
  public static QuerySide start(
      QuerySideSettings settings,
      MongoClient mongo,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences,
      MeterRegistry meters,
      Clock clock) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(mongo, "mongo");
    Objects.requireNonNull(readPreferences, "readPreferences");
    Objects.requireNonNull(meters, "meters");
    Objects.requireNonNull(clock, "clock");
    QuerySide side =
        new QuerySide(
            settings, mongo.getDatabase(settings.database()), readPreferences, meters, clock);
    side.dropLeftoverCopies();
    side.startConsumer();
    side.rebuildOutdated();
    return side;
  }

  public ThreadQueries queries() {
    return queries;
  }

  /** The history of every change, and threads as they were. */
  public AuditLog audit() {
    return audit;
  }

  /** The users banned in each tenant, from this node's projection. */
  public BannedUsers bans() {
    return bans;
  }

  /** The moderators' queues, from this node's projection. */
  public ModerationQueue moderationQueue() {
    // The port outlives a rebuild's swap: it asks the live generation's queue each time, and the
    // swapped-in queue takes over the subscribers.
    return new ModerationQueue() {
      @Override
      public QueuePage find(QueueQuery query, ReadPreference readPreference) {
        return moderationQueue.find(query, readPreference);
      }

      @Override
      public QueueSubscription subscribe(String tenant, QueueSubscriber subscriber) {
        return moderationQueue.subscribe(tenant, subscriber);
      }
    };
  }

  /** The media items this node has learned of from the log, for the CDN. */
  public MediaCatalog media() {
    return media;
  }

  /** The live changes of threads, for the edge's websockets and event streams. */
  public ThreadFeeds feeds() {
    return feeds;
  }

  /**
   * How far behind the log this node is. Not {@linkplain ProjectionStatus#caughtUp() caught up}
   * while a projection is being rebuilt: until the swap, it serves a copy about to be replaced.
   */
  public ProjectionStatus status() {
    return new ProjectionStatus() {
      @Override
      public boolean caughtUp() {
        return status.caughtUp() && rebuilds.isEmpty();
      }

      @Override
      public long lagEvents() {
        return status.lagEvents();
      }

      @Override
      public Duration lag() {
        return status.lag();
      }

      @Override
      public boolean stale() {
        return status.stale();
      }
    };
  }

  /**
   * Every event applied from now on, right after it is applied, on the consumer thread. Close the
   * handle to stop listening. Live readers want {@link #feeds()}, which says what they see of it.
   */
  public AutoCloseable subscribe(AppliedEvents.Listener listener) {
    return events.subscribe(listener);
  }

  /**
   * Drops every projection and the consumed offsets and consumes the log again from its start, in
   * place: reads see the projections fill up again. {@link #rebuild(String)} rebuilds one beside
   * the live copy instead.
   */
  public synchronized void rebuild() {
    if (closed) {
      throw new IllegalStateException("query side is closed");
    }
    log.info(
        "rebuilding the projections of {} from the start of {}",
        settings.database(),
        settings.topic());
    consumer.close();
    // Before the projection empties: a bound measured on the old one must not vouch for it.
    status.reset();
    projections.reset();
    offsets.reset();
    startConsumer();
  }

  @Override
  public List<Info> list() {
    List<Info> all = new ArrayList<>();
    for (String name : REBUILDABLE) {
      all.add(info(name));
    }
    return all;
  }

  @Override
  public Info info(String name) {
    Copy copy = copyOf(name);
    Rebuild running = rebuilds.get(name);
    return new Info(
        name,
        versions.get(name),
        copy.generation(),
        running != null,
        running != null ? running.progress() : lastRebuild.get(name));
  }

  @Override
  public Progress rebuild(String name) {
    Rebuild rebuild;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("query side is closed");
      }
      Copy current = copyOf(name);
      if (rebuilds.containsKey(name)) {
        throw new RebuildInProgressException(name);
      }
      rebuild = new Rebuild(name, current.generation() + 1);
      rebuilds.put(name, rebuild);
    }
    rebuild.thread.start();
    return rebuild.progress();
  }

  @Override
  public Checksum checksum(String name, ReadPreference readPreference) {
    Copy copy = copyOf(name);
    MessageDigest digest = sha256();
    long documents = 0;
    for (Map.Entry<String, MongoCollection<Document>> collection :
        copy.collections(readPreference).entrySet()) {
      digest.update(collection.getKey().getBytes(StandardCharsets.UTF_8));
      for (Document doc : collection.getValue().find().sort(Sorts.ascending("_id"))) {
        digest.update(doc.toJson().getBytes(StandardCharsets.UTF_8));
        documents++;
      }
    }
    return new Checksum(
        name, copy.generation(), documents, HexFormat.of().formatHex(digest.digest()));
  }

  @Override
  public List<DeadLetter> deadLetters(ReadPreference readPreference) {
    return deadLetters.list(readPreference);
  }

  @Override
  public RetryResult retryDeadLetters() {
    ProjectionConsumer current;
    synchronized (this) {
      current = consumer;
    }
    try {
      return current
          .onConsumerThread(
              () -> {
                int applied = 0;
                int failed = 0;
                List<DeadLetter> letters = deadLetters.list(ReadPreference.PRIMARY);
                for (DeadLetter letter : letters) {
                  if (projections.retry(letter)) {
                    deadLetters.remove(letter.id());
                    applied++;
                  } else {
                    failed++;
                  }
                }
                return new RetryResult(letters.size(), applied, failed);
              })
          .get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying dead letters", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the retry of dead letters failed: " + e.getMessage(), e);
    }
  }

  /** Stops the consumer (and any rebuild) after the batch in hand; the Mongo client stays. */
  @Override
  public void close() {
    List<Rebuild> running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      consumer.close();
      running = List.copyOf(rebuilds.values());
    }
    running.forEach(Rebuild::cancel);
  }

  private Copy copyOf(String name) {
    Copy copy = live.get(Objects.requireNonNull(name, "name"));
    if (copy == null) {
      throw new UnknownProjectionException(name);
    }
    return copy;
  }

  /** The live generation of a projection, recorded at its current version if never recorded. */
  private int liveGeneration(String name) {
    return generations
        .live(name, ReadPreference.PRIMARY)
        .orElseGet(
            () -> {
              Generations.Live first = new Generations.Live(0, versions.get(name));
              generations.record(name, first);
              return first;
            })
        .generation();
  }

  /**
   * Drops the copies beside each live one that an earlier run of the node left: the one before it,
   * when the node stopped within {@link #DROP_OLD_AFTER} of a swap, and the one after it, when the
   * node stopped during a rebuild. Called at start: after the live queue took over the collection
   * of an older one ({@link #queueOf}) and the older thread view was found ({@code
   * holdsAnOlderModel}), before any rebuild begins. Only a copy with a collection in the store is
   * dropped: a start sends one listing, not a drop per collection of every neighbouring copy.
   */
  private void dropLeftoverCopies() {
    Set<String> present = new HashSet<>(collectionNames());
    for (String name : REBUILDABLE) {
      int live = copyOf(name).generation();
      for (int generation : List.of(live - 1, live + 1)) {
        if (generation < 0) {
          continue;
        }
        try {
          Copy copy = shadowCopy(name, generation);
          if (copy.names().stream().anyMatch(present::contains)) {
            copy.drop();
          }
        } catch (RuntimeException e) {
          log.warn(
              "could not drop copy {} of projection {} left by an earlier run",
              generation,
              name,
              e);
        }
      }
    }
  }

  /** The collections of the node's database, as its primary holds them. */
  private List<String> collectionNames() {
    return database
        .withReadPreference(readPreferences.apply(ReadPreference.PRIMARY))
        .listCollectionNames()
        .into(new ArrayList<>());
  }

  private void rebuildOutdated() {
    for (String name : REBUILDABLE) {
      generations
          .live(name, ReadPreference.PRIMARY)
          .filter(recorded -> recorded.version() < versions.get(name))
          .ifPresent(
              recorded -> {
                log.info(
                    "projection {} was built by version {}, the code is at {}: rebuilding it",
                    name,
                    recorded.version(),
                    versions.get(name));
                rebuild(name);
              });
    }
  }

  private AuditCopy auditCopy(int generation) {
    AuditStore store =
        new AuditStore(
            database, AuditStore.COLLECTION + Generations.suffixOf(generation), readPreferences);
    return new AuditCopy(generation, store, new AuditProjection(store));
  }

  /**
   * The queue of the thread view's generation {@code generation}. Before queues had generations,
   * the queue of every generation was {@link QueueStore#COLLECTION}: a live copy rebuilt then takes
   * it over under its generation's name.
   */
  private QueueStore queueOf(int generation) {
    MongoDatabase unjournaled = database.withWriteConcern(WriteConcern.MAJORITY.withJournal(false));
    String name = QueueStore.COLLECTION + Generations.suffixOf(generation);
    if (generation > 0) {
      List<String> names = collectionNames();
      if (!names.contains(name) && names.contains(QueueStore.COLLECTION)) {
        database
            .getCollection(QueueStore.COLLECTION)
            .renameCollection(new MongoNamespace(database.getName(), name));
      }
    }
    return new QueueStore(
        unjournaled,
        readPreferences,
        Generations.suffixOf(generation),
        bans,
        new MediaShown(media));
  }

  /** A fresh shadow copy of {@code name} at {@code generation}, written by no one else. */
  private Copy shadowCopy(String name, int generation) {
    return switch (name) {
      case THREADS -> {
        // No one reads the shadow until the swap: it writes each batch in bulk.
        ThreadViewStore store =
            new ThreadViewStore(database, readPreferences, Generations.suffixOf(generation))
                .buffered();
        // Its own caches, weighed apart: the live read model's meters stay the live one's.
        ReadModel shadow =
            new ReadModel(store, settings.readModelBytes(), new SimpleMeterRegistry());
        // Its own queue too, filled from the same events and swapped in with it.
        QueueStore queue =
            new QueueStore(
                database.withWriteConcern(WriteConcern.MAJORITY.withJournal(false)),
                readPreferences,
                Generations.suffixOf(generation),
                bans,
                new MediaShown(media));
        yield new ThreadsCopy(generation, store, queue, new ThreadProjection(store, shadow, queue));
      }
      case AUDIT -> auditCopy(generation);
      default -> throw new UnknownProjectionException(name);
    };
  }

  /** Serves {@code copy} from now on; called with the live consumer stopped. */
  private void swapIn(String name, Copy copy) {
    switch (copy) {
      case ThreadsCopy threads -> {
        // The live copy writes through again: readers see nothing the store does not hold.
        threads.store().flush();
        threads.store().writeThrough();
        readModel.switchTo(threads.store());
        // Bans in force hide their authors' pending comments, whichever stream the shadow read
        // first.
        bans.hidePendingOfBanned(threads.queue(), clock.instant());
        threads.queue().takeSubscribersOf(moderationQueue);
        moderationQueue = threads.queue();
        ThreadProjection projection =
            new ThreadProjection(threads.store(), readModel, feeds, threads.queue());
        live.put(
            name,
            new ThreadsCopy(threads.generation(), threads.store(), threads.queue(), projection));
        projections.replace(name, projection);
      }
      case AuditCopy auditCopy -> {
        live.put(name, auditCopy);
        projections.replace(name, auditCopy.projection());
      }
    }
    generations.record(name, new Generations.Live(copy.generation(), versions.get(name)));
  }

  private void startConsumer() {
    consumer =
        new ProjectionConsumer(
            settings.kafkaBootstrapServers(),
            settings.topic(),
            settings.nodeId(),
            projections,
            offsets,
            events,
            status,
            metrics,
            deadLetters);
    consumer.start();
  }

  private void registerRebuildMeters(MeterRegistry meters) {
    for (String name : List.of(THREADS, AUDIT)) {
      Gauge.builder("comments.projection.rebuilding", () -> rebuilds.containsKey(name) ? 1 : 0)
          .description("1 while the projection is being rebuilt")
          .tag("projection", name)
          .register(meters);
      Gauge.builder("comments.projection.rebuild.percent", () -> progressOf(name).percent())
          .description("how much of the log the running (or last) rebuild has applied")
          .tag("projection", name)
          .register(meters);
      Gauge.builder("comments.projection.rebuild.rate", () -> progressOf(name).eventsPerSecond())
          .description("events per second the running (or last) rebuild applies")
          .tag("projection", name)
          .register(meters);
      Gauge.builder("comments.projection.rebuild.eta", () -> progressOf(name).etaSeconds())
          .description("seconds the running rebuild still needs; -1 unknown or none")
          .baseUnit("seconds")
          .tag("projection", name)
          .register(meters);
    }
  }

  private Progress progressOf(String name) {
    Rebuild running = rebuilds.get(name);
    if (running != null) {
      return running.progress();
    }
    Progress last = lastRebuild.get(name);
    return last != null ? last : new Progress(name, 0, "none", null, null, 0, 0, 0, 0, -1, null);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** One rebuild of one projection, on a thread of its own. */
  private final class Rebuild {
    private final String name;
    private final int generation;
    private final Instant startedAt;
    private final Thread thread;
    private final ConsumerStatus shadowStatus;
    private volatile boolean cancelled;
    private volatile Progress progress;
    private ProjectionConsumer shadow;

    Rebuild(String name, int generation) {
      this.name = name;
      this.generation = generation;
      this.startedAt = clock.instant();
      this.shadowStatus = new ConsumerStatus(clock);
      this.progress =
          new Progress(name, generation, "running", startedAt, null, 0, 0, 0, 0, -1, null);
      this.thread =
          Thread.ofPlatform()
              .name("comments-rebuild-" + name + "-" + settings.nodeId())
              .unstarted(this::run);
    }

    Progress progress() {
      return progress;
    }

    void cancel() {
      cancelled = true;
      thread.interrupt();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(35));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void run() {
      Copy copy = shadowCopy(name, generation);
      OffsetStore shadowOffsets =
          new OffsetStore(
              database.getCollection(OffsetStore.COLLECTION),
              settings.nodeId() + "|rebuild:" + name,
              clock,
              readPreferences);
      try {
        log.info("rebuilding projection {} into generation {}", name, generation);
        copy.drop();
        copy.projection().reset();
        shadowOffsets.reset();
        shadow =
            new ProjectionConsumer(
                settings.kafkaBootstrapServers(),
                settings.topic(),
                settings.nodeId() + "-rebuild-" + name,
                shadowSet(name, copy),
                shadowOffsets,
                new AppliedEvents(),
                shadowStatus,
                new ProjectionMetrics(new SimpleMeterRegistry(), settings.topic(), shadowStatus),
                deadLetters);
        shadow.start();
        while (!shadowStatus.caughtUp()) {
          if (cancelled) {
            throw new IllegalStateException("the query side closed during the rebuild");
          }
          Thread.sleep(PROGRESS_EVERY);
          measure("running", null);
        }
        Copy old = swap(copy, shadowOffsets);
        measure("swapped", null);
        log.info("projection {} rebuilt: generation {} serves now", name, generation);
        Thread.ofVirtual().start(() -> dropLater(old));
      } catch (InterruptedException e) {
        fail(copy, "interrupted");
      } catch (RuntimeException e) {
        log.error("the rebuild of projection {} failed", name, e);
        fail(copy, e.toString());
      } finally {
        if (shadow != null) {
          shadow.close();
        }
        lastRebuild.put(name, progress);
        rebuilds.remove(name);
      }
    }

    /** What the shadow consumer feeds: the copy, and for the thread view, bans to its queue. */
    private ProjectionSet shadowSet(String name, Copy copy) {
      if (copy instanceof ThreadsCopy threads) {
        Map<String, Projection> members = new LinkedHashMap<>();
        members.put(name, copy.projection());
        members.put(BANS, new QueueBans(threads.queue()));
        return new ProjectionSet(members, deadLetters);
      }
      return ProjectionSet.of(name, copy.projection(), deadLetters);
    }

    /** Stops both consumers, swaps the copy in and starts the live consumer where both agree. */
    private Copy swap(Copy copy, OffsetStore shadowOffsets) {
      synchronized (QuerySide.this) {
        if (closed) {
          throw new IllegalStateException("the query side closed during the rebuild");
        }
        consumer.close();
        shadow.close();
        Map<TopicPartition, Long> liveAt = offsets.load(settings.topic(), ReadPreference.PRIMARY);
        Map<TopicPartition, Long> shadowAt =
            shadowOffsets.load(settings.topic(), ReadPreference.PRIMARY);
        Map<TopicPartition, Long> from = new HashMap<>();
        liveAt.forEach(
            (partition, offset) ->
                from.put(partition, Math.min(offset, shadowAt.getOrDefault(partition, 0L))));
        offsets.store(from);
        Copy old = copyOf(name);
        swapIn(name, copy);
        shadowOffsets.reset();
        startConsumer();
        return old;
      }
    }

    private void dropLater(Copy old) {
      try {
        Thread.sleep(DROP_OLD_AFTER);
        old.drop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.warn("could not drop the old copy of projection {}", name, e);
      }
    }

    private void fail(Copy copy, String error) {
      measure("failed", error);
      try {
        if (shadow != null) {
          shadow.close();
        }
        copy.drop();
      } catch (RuntimeException e) {
        log.warn("could not drop the unfinished copy of projection {}", name, e);
      }
    }

    private void measure(String state, String error) {
      long lag = shadowStatus.lagEvents();
      long applied = shadowStatus.appliedRecords();
      long total = applied + lag;
      Instant now = clock.instant();
      double seconds = Math.max(0.001, Duration.between(startedAt, now).toMillis() / 1000.0);
      double rate = applied / seconds;
      boolean done = "swapped".equals(state);
      double percent = done ? 100 : total == 0 ? 0 : 100.0 * applied / total;
      long eta = done ? 0 : rate > 0 ? (long) Math.ceil(lag / rate) : -1;
      progress =
          new Progress(
              name,
              generation,
              state,
              startedAt,
              "running".equals(state) ? null : now,
              percent,
              applied,
              total,
              rate,
              eta,
              error);
    }
  }
}
