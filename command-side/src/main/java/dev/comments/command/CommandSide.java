package dev.comments.command;

import com.mongodb.ReadConcern;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import dev.comments.command.ban.BanTargetResolver;
import dev.comments.command.ban.UserStanding;
import dev.comments.command.cache.CaffeineCache;
import dev.comments.command.idempotency.MongoIdempotencyKeys;
import dev.comments.command.locator.CommentLocator;
import dev.comments.command.media.AxonMediaCommands;
import dev.comments.command.media.MediaBlobs;
import dev.comments.command.media.MediaCommandTargetResolver;
import dev.comments.command.media.MediaItem;
import dev.comments.command.media.MediaLimits;
import dev.comments.command.publish.EventPublisher;
import dev.comments.command.publish.KafkaSetup;
import dev.comments.command.publish.PublisherOptions;
import dev.comments.command.store.AppendListener;
import dev.comments.command.store.ContractUpcaster;
import dev.comments.command.store.DurableAppends;
import dev.comments.command.store.EventSerialization;
import dev.comments.command.store.JournalBarrier;
import dev.comments.command.store.KeyedEventReads;
import dev.comments.command.store.MarkingStorageEngine;
import dev.comments.command.store.StoredEvents;
import dev.comments.command.store.StreamMarks;
import dev.comments.command.store.StreamPositions;
import dev.comments.command.thread.CommentThread;
import dev.comments.command.thread.SettleRetry;
import dev.comments.command.thread.ThreadCommandTargetResolver;
import dev.comments.command.thread.ThreadRules;
import dev.comments.events.ReadPreference;
import dev.comments.events.command.MediaCommand;
import dev.comments.events.command.ThreadCommand;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.config.AggregateConfigurer;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventsourcing.AggregateSnapshotter;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.extensions.mongo.DefaultMongoTemplate;
import org.axonframework.extensions.mongo.MongoTemplate;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.MongoEventStorageEngine;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.axonframework.serialization.Serializer;

/**
 * The command side of a node, assembled by hand (no Spring): the thread aggregates on Axon, their
 * event store in MongoDB, the comment locator and the publisher that puts every stored event on
 * Kafka.
 *
 * <p>MongoDB collections in {@link CommandSideSettings#database()}: {@code domainevents} and {@code
 * snapshotevents} (Axon's event store), {@value StreamMarks#COLLECTION} (each stream's appended and
 * published marks), {@value CommentLocator#COLLECTION} and {@value MongoIdempotencyKeys#COLLECTION}
 * (the answers of commands sent with an idempotency key).
 */
public final class CommandSide implements AutoCloseable {
  /**
   * How many threads stay in memory between commands. A thread not among them is loaded from its
   * snapshot and the events after it.
   */
  static final int AGGREGATE_CACHE_SIZE = 10_000;

  /** A thread is snapshotted once this many events were applied to it since it was loaded. */
  static final int SNAPSHOT_EVERY = 100;

  private final Configuration axon;
  private final CommandGateway gateway;
  private final ExecutorService snapshots;
  private final CommentCommands commands;
  private final IdempotencyKeys idempotencyKeys;
  private final ThreadPositions positions;
  private final EventPublisher publisher;
  private final Thread topicSetup;
  private final MediaBlobs mediaBlobs;
  private final Clock clock;

  private CommandSide(
      Configuration axon,
      CommandGateway gateway,
      ExecutorService snapshots,
      CommentCommands commands,
      IdempotencyKeys idempotencyKeys,
      ThreadPositions positions,
      EventPublisher publisher,
      Thread topicSetup,
      MediaBlobs mediaBlobs,
      Clock clock) {
    this.axon = axon;
    this.gateway = gateway;
    this.snapshots = snapshots;
    this.commands = commands;
    this.idempotencyKeys = idempotencyKeys;
    this.positions = positions;
    this.publisher = publisher;
    this.topicSetup = topicSetup;
    this.mediaBlobs = mediaBlobs;
    this.clock = clock;
  }

  /**
   * Starts the command side reading MongoDB with the driver's untagged read preferences: for a node
   * that knows no region, and for tests.
   */
  public static CommandSide start(
      CommandSideSettings settings, MongoClient mongo, MeterRegistry meters, Clock clock) {
    return start(
        settings,
        mongo,
        readPreference -> com.mongodb.ReadPreference.valueOf(readPreference.name()),
        meters,
        clock);
  }

  /**
   * @param readPreferences the node's mapping of read preferences to the driver's, used where a
   *     read names its preference (the comment locator, the idempotency keys, the marks); Axon's
   *     own reads stay on the primary
   */
  public static CommandSide start(
      CommandSideSettings settings,
      MongoClient mongo,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences,
      MeterRegistry meters,
      Clock clock) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(mongo, "mongo");
    Objects.requireNonNull(readPreferences, "readPreferences");
    Objects.requireNonNull(meters, "meters");
    Objects.requireNonNull(clock, "clock");
    return start(
        settings,
        mongo,
        readPreferences,
        meters,
        clock,
        PublisherOptions.defaults(settings.topic()));
  }

  /** With the publisher paced otherwise, for tests. */
  static CommandSide start(
      CommandSideSettings settings,
      MongoClient mongo,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences,
      MeterRegistry meters,
      Clock clock,
      PublisherOptions publisherOptions) {
    Serializer serializer = EventSerialization.newSerializer();
    // Axon's reads cannot take our ReadPreference, so its database handle names it once, here:
    // commands decide on current state, so the event store, the marks and the locator read the
    // primary, and a write is acknowledged once a majority holds it (what a failover keeps).
    MongoDatabase database =
        mongo
            .getDatabase(settings.database())
            .withReadPreference(com.mongodb.ReadPreference.primary())
            .withReadConcern(ReadConcern.MAJORITY)
            .withWriteConcern(WriteConcern.MAJORITY);
    MongoTemplate template = DefaultMongoTemplate.builder().mongoDatabase(database).build();
    ThreadRules rules =
        new ThreadRules(settings.maxReplyDepth(), settings.editWindow(), settings.moderation());
    // Snapshots are taken after the command's answer, off its thread, one at a time.
    ExecutorService snapshots =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("thread-snapshots").factory());

    // Every append is marked before and handed to these after: the positions of primary reads
    // and, on a publishing node, the publisher.
    StreamMarks marks = new StreamMarks(database, readPreferences);
    StoredEvents storedEvents =
        new StoredEvents(database, readPreferences, serializer, new ContractUpcaster());
    StreamPositions positions =
        new StreamPositions(marks, storedEvents, StreamPositions.DEFAULT_MAX_STREAMS);
    List<AppendListener> appendListeners = new ArrayList<>(List.of(positions));
    EventPublisher publisher = null;
    // Threads stay in memory between commands, up to a bound; one that left is loaded from its
    // snapshot and the few events after it, never its history.
    CaffeineCache threadCache =
        CaffeineCache.bounded(AGGREGATE_CACHE_SIZE, meters, "comments.aggregates.cache");
    if (settings.publisherEnabled()) {
      publisher =
          new EventPublisher(
              marks,
              storedEvents,
              () ->
                  KafkaSetup.newProducer(
                      settings.kafkaBootstrapServers(),
                      KafkaSetup.transactionalId(settings.topic())),
              () -> KafkaSetup.ensureTopic(kafkaTopic(settings)),
              publisherOptions,
              meters,
              clock);
      appendListeners.add(publisher);
    }
    // A thread's evicted after a failed barrier: its state may hold events never made durable.
    DurableAppends appends =
        new DurableAppends(
            settings.pipelinedAppends(),
            new JournalBarrier(database),
            appendListeners,
            threadCache::remove);
    FunctionCounter.builder("comments.event.store.barriers", appends, DurableAppends::barriers)
        .description("Barriers written to make pipelined appends durable, each shared by many")
        .register(meters);

    Configuration axon =
        DefaultConfigurer.defaultConfiguration(false)
            .configureSerializer(c -> serializer)
            .configureEventSerializer(c -> serializer)
            .configureMessageSerializer(c -> serializer)
            .configureEmbeddedEventStore(
                c ->
                    new MarkingStorageEngine(
                        axonEngine(template, serializer),
                        axonEngine(unjournaled(database), serializer),
                        marks,
                        appends))
            .registerComponent(ThreadRules.class, c -> rules)
            .configureSnapshotter(
                c ->
                    AggregateSnapshotter.builder()
                        .eventStore(c.eventStore())
                        .aggregateFactories(c.aggregateFactory(CommentThread.class))
                        .repositoryProvider(c::repository)
                        .parameterResolverFactory(c.parameterResolverFactory())
                        .handlerDefinition(c.handlerDefinition(CommentThread.class))
                        .executor(snapshots)
                        .build())
            // Media items: two events at most each, so no cache and no snapshots.
            .configureAggregate(
                AggregateConfigurer.defaultConfiguration(MediaItem.class)
                    .configureCommandTargetResolver(c -> new MediaCommandTargetResolver()))
            .configureAggregate(
                AggregateConfigurer.defaultConfiguration(CommentThread.class)
                    .configureCommandTargetResolver(c -> new ThreadCommandTargetResolver())
                    .configureCache(c -> threadCache)
                    .configureSnapshotTrigger(
                        c ->
                            new EventCountSnapshotTriggerDefinition(
                                c.snapshotter(), SNAPSHOT_EVERY)))
            // A user's standing (bans): a tenant-scoped stream of its own, never snapshotted.
            .configureAggregate(
                AggregateConfigurer.defaultConfiguration(UserStanding.class)
                    .configureCommandTargetResolver(c -> new BanTargetResolver()))
            .start();

    CommandGateway gateway =
        appends.pipelining()
            ? DefaultCommandGateway.builder()
                .commandBus(
                    new DurableCommandBus(axon.commandBus(), appends, CommandSide::streamOf))
                .build()
            : axon.commandGateway();
    CommentCommands commands =
        new AxonCommentCommands(gateway, new CommentLocator(database, readPreferences), clock);
    MongoIdempotencyKeys idempotencyKeys =
        new MongoIdempotencyKeys(
            database,
            readPreferences,
            clock,
            MongoIdempotencyKeys.DEFAULT_TTL,
            MongoIdempotencyKeys.DEFAULT_PENDING_LEASE);
    idempotencyKeys.createIndexes();

    Thread topicSetup = null;
    if (publisher != null) {
      publisher.start();
    } else {
      // The topic is this side's to create, with the settings the log needs, even on a node that
      // does not publish: the query sides only wait for it.
      topicSetup =
          Thread.ofPlatform()
              .daemon()
              .name("kafka-topic-setup")
              .start(() -> KafkaSetup.ensureTopicWithRetries(kafkaTopic(settings)));
    }
    return new CommandSide(
        axon,
        gateway,
        snapshots,
        commands,
        idempotencyKeys,
        positions,
        publisher,
        topicSetup,
        new MediaBlobs(database, readPreferences),
        clock);
  }

  private static KafkaSetup.Topic kafkaTopic(CommandSideSettings settings) {
    return new KafkaSetup.Topic(
        settings.kafkaBootstrapServers(),
        settings.topic(),
        settings.topicPartitions(),
        settings.replicationFactor());
  }

  public CommentCommands commands() {
    return commands;
  }

  /**
   * Uploads and removals of media under {@code limits}; the bytes live in this side's database
   * ({@value MediaBlobs#FILES}, {@value MediaBlobs#CHUNKS}).
   */
  public MediaCommands media(MediaLimits limits) {
    return new AxonMediaCommands(gateway, mediaBlobs, limits, clock);
  }

  /**
   * Where each thread's event stream stands: from memory, fed by every append; a thread not there
   * is loaded by key from its marks (the primary).
   */
  public ThreadPositions positions() {
    return positions;
  }

  /** Where the edge remembers the answers of commands sent with an idempotency key. */
  public IdempotencyKeys idempotencyKeys() {
    return idempotencyKeys;
  }

  /** Stops the publisher (what it did not send stays marked in the store), then Axon. */
  @Override
  public void close() {
    if (topicSetup != null) {
      topicSetup.interrupt();
    }
    if (publisher != null) {
      publisher.close();
    }
    axon.shutdown();
    snapshots.shutdownNow();
  }

  /**
   * The event store's engine: axon-mongo's, with the contract's upcasters and keyed reads, behind
   * the append marks. Public for a tool that fills a stopped node's store offline (the growth
   * benchmark's seeder), which must write exactly what the command side writes.
   */
  public static MarkingStorageEngine storageEngine(
      MongoTemplate template,
      Serializer serializer,
      StreamMarks marks,
      List<AppendListener> appendListeners) {
    return new MarkingStorageEngine(axonEngine(template, serializer), marks, appendListeners);
  }

  private static EventStorageEngine axonEngine(MongoTemplate template, Serializer serializer) {
    return MongoEventStorageEngine.builder()
        .mongoTemplate(template)
        .eventSerializer(serializer)
        .snapshotSerializer(serializer)
        .upcasterChain(new ContractUpcaster())
        .snapshotFilter(EventSerialization.currentSnapshotsOnly())
        .storageStrategy(new KeyedEventReads(template.snapshotCollection()))
        .build();
  }

  /** The event store's collections, written without waiting for the journal: pipelined appends. */
  private static MongoTemplate unjournaled(MongoDatabase database) {
    return DefaultMongoTemplate.builder()
        .mongoDatabase(database.withWriteConcern(database.getWriteConcern().withJournal(false)))
        .build();
  }

  /** The stream a command is sent to: its aggregate's identifier. */
  private static String streamOf(CommandMessage<?> command) {
    CommandTargetResolver resolver =
        switch (command.getPayload()) {
          case ThreadCommand _, SettleRetry _ -> new ThreadCommandTargetResolver();
          case MediaCommand _ -> new MediaCommandTargetResolver();
          default -> new BanTargetResolver();
        };
    return resolver.resolveTarget(command).getIdentifier();
  }
}
