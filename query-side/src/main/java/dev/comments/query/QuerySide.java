package dev.comments.query;

import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import dev.comments.events.ReadPreference;
import dev.comments.query.ban.BanProjection;
import dev.comments.query.media.MediaProjection;
import dev.comments.query.media.MediaStore;
import dev.comments.query.moderation.QueueStore;
import dev.comments.query.projection.AppliedEvents;
import dev.comments.query.projection.ConsumerStatus;
import dev.comments.query.projection.DatabaseOwner;
import dev.comments.query.projection.OffsetStore;
import dev.comments.query.projection.ProjectionConsumer;
import dev.comments.query.projection.ProjectionMetrics;
import dev.comments.query.projection.Projections;
import dev.comments.query.projection.Stores;
import dev.comments.query.thread.MongoThreadQueries;
import dev.comments.query.thread.ReadModel;
import dev.comments.query.thread.ThreadProjection;
import dev.comments.query.thread.ThreadViewStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's query side, assembled: the projection consumer on its own thread, the thread view it
 * keeps in the node's MongoDB, and the queries answered from it. The launcher starts one per node
 * and closes it on shutdown.
 */
public final class QuerySide implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QuerySide.class);

  private final QuerySideSettings settings;
  private final ThreadProjection projection;
  private final MediaProjection media;
  private final Projections projections;
  private final OffsetStore offsets;
  private final AppliedEvents events;
  private final ConsumerStatus status;
  private final ProjectionMetrics metrics;
  private final ThreadQueries queries;
  private final QueueStore moderationQueue;
  private final BanProjection bans;
  private ProjectionConsumer consumer;
  private boolean closed;

  private QuerySide(
      QuerySideSettings settings,
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences,
      MeterRegistry meters,
      Clock clock) {
    this.settings = settings;
    new DatabaseOwner(database, readPreferences)
        .claim(settings.nodeId(), clock, ReadPreference.PRIMARY);
    // A batch's projection writes are acknowledged once a majority applied them, not once it
    // journaled them; the offsets write that ends the batch waits for the journal, which then holds
    // the whole batch. On the embedded store that makes a batch one commit instead of one per
    // write.
    ThreadViewStore store =
        new ThreadViewStore(
            database.withWriteConcern(WriteConcern.MAJORITY.withJournal(false)), readPreferences);
    ReadModel readModel = new ReadModel(store, settings.readModelBytes(), meters);
    this.moderationQueue =
        new QueueStore(
            database.withWriteConcern(WriteConcern.MAJORITY.withJournal(false)), readPreferences);
    this.projection = new ThreadProjection(store, readModel, moderationQueue);
    this.media =
        new MediaProjection(
            new MediaStore(
                database.withWriteConcern(WriteConcern.MAJORITY.withJournal(false)),
                readPreferences));
    this.bans =
        new BanProjection(
            database.withWriteConcern(WriteConcern.MAJORITY.withJournal(false)),
            readPreferences,
            moderationQueue);
    this.projections = new Projections(projection, media, bans);
    this.offsets =
        new OffsetStore(
            database.getCollection(OffsetStore.COLLECTION).withWriteConcern(WriteConcern.MAJORITY),
            settings.nodeId(),
            clock,
            readPreferences);
    if (store.holdsAnOlderModel()) {
      // Earlier versions kept the view in collections that need scans: rebuild it from the log.
      log.info("{} holds an older thread view; rebuilding it from the log", settings.database());
      projections.reset();
      offsets.reset();
    }
    store.createIndexes();
    moderationQueue.createIndexes();
    this.events = new AppliedEvents();
    this.status = new ConsumerStatus(clock);
    this.metrics = new ProjectionMetrics(meters, settings.topic(), status);
    this.queries = new MongoThreadQueries(readModel, events);
  }

  /**
   * Starts consuming the event log into the projections. Returns at once: the consumer finds (or
   * waits for) the topic in the background, and {@link #status()} says when it has caught up.
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
    side.startConsumer();
    return side;
  }

  public ThreadQueries queries() {
    return queries;
  }

  /** The users banned in each tenant, from this node's projection. */
  public BannedUsers bans() {
    return bans;
  }

  /** The moderators' queues, from this node's projection. */
  public ModerationQueue moderationQueue() {
    return moderationQueue;
  }

  /** The live changes of threads, for the edge's websockets and event streams. */
  public ThreadFeeds feeds() {
    return projection.feeds();
  }

  /** The media items this node has learned of from the log, for the CDN. */
  public MediaCatalog media() {
    return media;
  }

  public ProjectionStatus status() {
    return status;
  }

  /**
   * Every event applied from now on, right after it is applied, on the consumer thread. Close the
   * handle to stop listening. Live readers want {@link #feeds()}, which says what they see of it.
   */
  public AutoCloseable subscribe(AppliedEvents.Listener listener) {
    return events.subscribe(listener);
  }

  /**
   * Drops the projections and the consumed offsets and consumes the log again from its start. Reads
   * keep working meanwhile but see the projection fill up again; a rebuild beside the live
   * projection, swapped in when caught up, is left for later.
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

  /** Stops the consumer after the batch in hand; the Mongo client stays the caller's. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      consumer.close();
    }
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
            metrics);
    consumer.start();
  }
}
