import com.mongodb.ReadConcern;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import dev.comments.command.CommandSide;
import dev.comments.command.CommentIds;
import dev.comments.command.locator.CommentLocator;
import dev.comments.command.store.EventSerialization;
import dev.comments.command.store.MarkingStorageEngine;
import dev.comments.command.store.StreamMarks;
import dev.comments.command.thread.CommentThread;
import dev.comments.command.thread.ThreadRules;
import dev.comments.events.Author;
import dev.comments.events.CommentPosted;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.infra.dev.DevNode;
import dev.comments.infra.dev.EmbeddedMongo;
import dev.comments.infra.node.NodeProperties;
import dev.comments.query.QuerySideSettings;
import dev.comments.query.projection.Stores;
import dev.comments.query.thread.SeededThreadView;
import dev.comments.query.thread.ThreadViewStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.extensions.mongo.DefaultMongoTemplate;
import org.axonframework.extensions.mongo.MongoTemplate;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.Serializer;
import org.bson.Document;

/**
 * Fills a stopped dev node's data directory with N comment posts, fast, for the growth benchmark:
 * {@value #PER_THREAD} comments per thread (every fifth a reply), about 100 characters each, in
 * threads {@code seed-0000000}, {@code seed-0000001}, ... of the tenant.
 *
 * <p>It opens the node's embedded store itself and writes through the product's own classes, in
 * bulk: the events through axon-mongo's storage engine with the command side's serializer, behind
 * the {@link MarkingStorageEngine} that raises each stream's appended mark; then each stream's
 * published mark set to its last seq (the log never holds the seeded events, and the publisher must
 * not send them at start); the comment locator's entries; and the thread view as the projection
 * leaves it ({@link SeededThreadView}: the projection's own plan, the store's own documents). The
 * Kafka log and the projection offsets stay empty: the node creates the topic and the projection
 * starts at its beginning, where every event it reads is newer than the seeded ones. The node claims
 * its projection database itself at start.
 *
 * <p>Usage, with the node's classpath (refuses, exit 2, a data directory in use or not empty):
 *
 * <pre>
 * java -cp LAUNCHER_JAR:$(cat infra/launcher/target/node.classpath) infra/bench/SeedStore.java \
 *     DATA_DIR EVENTS [TENANT]
 * </pre>
 */
public final class SeedStore {
  static final int PER_THREAD = 100;

  /** Events written per round of bulk writes: each round is a handful of store commits. */
  static final int BATCH_EVENTS = 20_000;

  /** Rounds written at once: the store's work and the building of the next round overlap. */
  static final int WORKERS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

  private static final String[] WORDS = {
    "the", "thread", "comment", "reply", "agree", "point", "really", "think", "because", "data",
    "store", "event", "benchmark", "load", "quite", "interesting", "never", "always", "maybe",
    "should", "would", "could", "article", "author", "good", "bad", "fast", "slow", "people",
    "question", "answer", "thanks", "sharing", "this", "that", "with", "about", "more", "less"
  };

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: SeedStore DATA_DIR EVENTS [TENANT]");
      System.exit(2);
    }
    Path dataDir = Path.of(args[0]).toAbsolutePath();
    long events = Long.parseLong(args[1]);
    String tenant = args.length > 2 ? args[2] : DevNode.TENANT;
    if (events < 1 || !ThreadId.isValidTenant(tenant)) {
      System.err.println("seed: EVENTS must be positive and TENANT a valid tenant id");
      System.exit(2);
    }
    String refusal = refusal(dataDir);
    if (refusal != null) {
      System.err.println("seed: " + refusal);
      System.exit(2);
    }

    long started = System.nanoTime();
    try (EmbeddedMongo mongo = EmbeddedMongo.start(dataDir.resolve("mongo"));
        MongoClient client = MongoClients.create(mongo.connectionString())) {
      new SeedStore(client, tenant).seed(events, WORKERS);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "seed: %d events in %d threads of tenant %s into %s in %.1f s (%.0f events/s)%n",
        events,
        (events + PER_THREAD - 1) / PER_THREAD,
        tenant,
        dataDir,
        seconds,
        events / seconds);
  }

  /**
   * Why this directory cannot be seeded, or null. The store's file is locked by the node that has
   * it open (MVStore takes an OS file lock), so a lock that cannot be taken means a running node.
   */
  static String refusal(Path dataDir) throws IOException {
    Path store = dataDir.resolve("mongo").resolve("mongo.mv");
    if (Files.exists(store)) {
      try (FileChannel channel =
          FileChannel.open(store, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        FileLock lock = channel.tryLock();
        if (lock == null) {
          return "a node is running on " + dataDir + " (its store " + store + " is locked)";
        }
        lock.release();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        return "the store " + store + " is in use";
      }
    }
    if (Files.isDirectory(dataDir)) {
      try (Stream<Path> entries = Files.list(dataDir)) {
        if (entries.findAny().isPresent()) {
          return dataDir + " is not empty: seed a fresh data directory";
        }
      }
    } else if (Files.exists(dataDir)) {
      return dataDir + " is not a directory";
    }
    return null;
  }

  private final String tenant;
  private final Serializer serializer = EventSerialization.newSerializer();
  private final MarkingStorageEngine engine;
  private final StreamMarks marks;
  private final CommentLocator locator;
  private final MongoDatabase query;
  private final ThreadRules rules = ThreadRules.defaults();

  SeedStore(MongoClient client, String tenant) {
    this.tenant = tenant;
    // The command database as CommandSide opens it: primary, majority, journaled writes.
    MongoDatabase command =
        client
            .getDatabase(NodeProperties.Mongo.DEFAULT_COMMAND_DATABASE)
            .withReadPreference(com.mongodb.ReadPreference.primary())
            .withReadConcern(ReadConcern.MAJORITY)
            .withWriteConcern(WriteConcern.MAJORITY);
    MongoTemplate template = DefaultMongoTemplate.builder().mongoDatabase(command).build();
    this.marks = new StreamMarks(command, Stores.UNTAGGED);
    // Built by the command side's own factory (which also creates its indexes), without listeners:
    // nothing is handed to a publisher.
    this.engine = CommandSide.storageEngine(template, serializer, marks, List.of());
    this.locator = new CommentLocator(command, Stores.UNTAGGED);
    this.query =
        client
            .getDatabase(QuerySideSettings.databaseFor(DevNode.NODE_ID))
            .withWriteConcern(WriteConcern.MAJORITY);
  }

  /**
   * Seeds {@code total} events in rounds of {@link #BATCH_EVENTS}, {@code workers} rounds at a
   * time: the embedded store answers each connection on a thread of its own, so one round's
   * inserts run while another is being built.
   */
  void seed(long total, int workers) throws InterruptedException, ExecutionException {
    long threads = (total + PER_THREAD - 1) / PER_THREAD;
    long threadsPerRound = BATCH_EVENTS / PER_THREAD;
    long rounds = (threads + threadsPerRound - 1) / threadsPerRound;
    // Posted one per millisecond, ending now: in the past, in order, as a live thread would be.
    long firstMillis = System.currentTimeMillis() - total;
    AtomicLong next = new AtomicLong();
    AtomicLong written = new AtomicLong();
    AtomicLong reported = new AtomicLong(System.nanoTime());
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        running.add(
            pool.submit(
                () -> {
                  for (long round; (round = next.getAndIncrement()) < rounds; ) {
                    long from = round * threadsPerRound;
                    long to = Math.min(threads, from + threadsPerRound);
                    long done = written.addAndGet(round(total, from, to, firstMillis, round));
                    long last = reported.get();
                    if (System.nanoTime() - last > 10_000_000_000L
                        && reported.compareAndSet(last, System.nanoTime())) {
                      System.err.printf("seed: %d of %d events%n", done, total);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> worker : running) {
        worker.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Builds and writes threads {@code from} to {@code to} (excluded); returns their events. */
  private long round(long total, long from, long to, long firstMillis, long round) {
    Random random = new Random(round);
    List<DomainEventMessage<?>> batch = new ArrayList<>();
    Map<String, Long> lastSeqs = new LinkedHashMap<>();
    Map<String, ThreadId> locations = new LinkedHashMap<>();
    List<Document> threadDocs = new ArrayList<>();
    List<Document> bucketDocs = new ArrayList<>();
    for (long t = from; t < to; t++) {
      ThreadId thread = new ThreadId(tenant, String.format("seed-%07d", t));
      int count = (int) Math.min(PER_THREAD, total - t * PER_THREAD);
      List<EventEnvelope> envelopes = new ArrayList<>(count);
      List<String> ids = new ArrayList<>(count);
      for (int seq = 0; seq < count; seq++) {
        // Thread after thread, so that comment ids (time-ordered) go to the end of the locator's
        // index rather than all over it.
        Instant at = Instant.ofEpochMilli(firstMillis + t * PER_THREAD + seq);
        String commentId = commentId(at.toEpochMilli(), random);
        String parentId = seq % 5 == 4 ? ids.get(seq - 4) : null;
        Author author = Author.anonymous("seed-session-" + random.nextInt(1000), "Reader");
        CommentPosted posted =
            new CommentPosted(
                thread.tenant(),
                thread.thread(),
                commentId,
                parentId,
                author,
                rules.commentText(text(t, seq, random)),
                at);
        DomainEventMessage<?> event =
            new GenericDomainEventMessage<>(
                CommentThread.class.getSimpleName(),
                thread.streamId(),
                seq,
                posted,
                MetaData.emptyInstance(),
                UUID.randomUUID().toString(),
                at);
        batch.add(event);
        envelopes.add(
            new EventEnvelope(event.getIdentifier(), thread, seq, event.getTimestamp(), posted));
        ids.add(commentId);
        locations.put(commentId, thread);
      }
      lastSeqs.put(thread.streamId(), (long) count - 1);
      SeededThreadView.Documents view = SeededThreadView.of(envelopes);
      threadDocs.add(view.thread());
      bucketDocs.addAll(view.buckets());
    }
    write(batch, lastSeqs, locations, threadDocs, bucketDocs);
    return batch.size();
  }

  /** One round: marks and events, published marks, locator entries, then the thread view. */
  private void write(
      List<DomainEventMessage<?>> events,
      Map<String, Long> lastSeqs,
      Map<String, ThreadId> locations,
      List<Document> threadDocs,
      List<Document> bucketDocs) {
    // Appended marks first (one per stream), then one insertMany of the events.
    engine.appendEvents(events);
    // The log will never see these events: they count as published, so the publisher's recovery
    // finds nothing to send and a new post continues each stream from its last seq.
    marks.markPublished(new HashMap<>(lastSeqs));
    locator.registerAll(locations);
    // Buckets before thread documents, as the projection writes them.
    query.getCollection(ThreadViewStore.BUCKETS).insertMany(bucketDocs);
    query.getCollection(ThreadViewStore.THREADS).insertMany(threadDocs);
  }

  /** A comment id as the command side makes them: a UUID version 7 of the posting time. */
  private static String commentId(long millis, Random random) {
    long msb = (millis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    String id = new UUID(msb, lsb).toString();
    if (!CommentIds.isWellFormed(id)) {
      throw new IllegalStateException("not a comment id: " + id);
    }
    return id;
  }

  /** About 100 characters: which comment this is, then words. */
  private static String text(long thread, int seq, Random random) {
    StringBuilder text = new StringBuilder("Comment ").append(seq).append(" of seed thread ");
    text.append(thread).append(':');
    while (text.length() < 95) {
      text.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.append('.').toString();
  }
}
