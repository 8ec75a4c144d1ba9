package dev.comments.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.comments.command.locator.CommentLocator;
import dev.comments.command.media.MediaLimits;
import dev.comments.command.publish.EventPublisher;
import dev.comments.command.publish.PublisherOptions;
import dev.comments.events.Author;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentStatus;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.codec.EventTypes;
import dev.comments.infra.kafka.KafkaBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.eventhandling.GenericEventMessage;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The whole command side against a real Kafka broker and a MongoDB-wire server reached through the
 * real driver: commands in, events out on the topic, in order per thread, across restarts.
 */
class CommandSideIT {
  private static final AtomicInteger topics = new AtomicInteger();
  private static final Author ANN = Author.anonymous("s-ann", "Ann");
  private static final Author BEN = new Author(Author.Kind.USER, "u-ben", "Ben");
  private static KafkaBroker broker;
  private static Path brokerDir;

  private final EventCodec codec = new EventCodec();

  /** The primary's clock: ours and Axon's, which stamps every event. */
  private final SteppingClock clock = new SteppingClock();

  private Clock axonClock;
  private MongoServer mongoServer;
  private MongoClient mongo;
  private CommandSideSettings settings;
  private CommandSide commandSide;

  @BeforeAll
  static void startBroker() throws Exception {
    brokerDir = Files.createTempDirectory("command-side-it-kafka");
    broker = KafkaBroker.start(brokerDir);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void startMongo() {
    axonClock = GenericEventMessage.clock;
    GenericEventMessage.clock = clock;
    mongoServer = new MongoServer(new MemoryBackend());
    mongoServer.bind("127.0.0.1", 0);
    mongo = MongoClients.create("mongodb://127.0.0.1:" + mongoServer.getLocalAddress().getPort());
    settings =
        CommandSideSettings.defaults("comments", broker.bootstrapServers())
            .withTopic("events-" + topics.incrementAndGet());
  }

  @AfterEach
  void stopAll() {
    if (commandSide != null) {
      commandSide.close();
    }
    mongo.close();
    mongoServer.shutdownNow();
    GenericEventMessage.clock = axonClock;
  }

  private CommentCommands start(CommandSideSettings withSettings) {
    commandSide = CommandSide.start(withSettings, mongo, new SimpleMeterRegistry(), clock);
    return commandSide.commands();
  }

  private MongoDatabase database() {
    return mongo.getDatabase(settings.database());
  }

  @Test
  void every_command_reaches_kafka_once_in_order_per_thread() {
    CommentCommands commands = start(settings);
    ThreadId t1 = new ThreadId("demo", "t1");
    ThreadId t2 = new ThreadId("demo", "t2");

    Accepted first = commands.post(t1, null, ANN, "First!");
    Accepted other = commands.post(t2, null, BEN, "Elsewhere");
    Accepted reply = commands.post(t1, first.commentId(), BEN, "A reply");
    Accepted edit = commands.edit("demo", first.commentId(), ANN.id(), "First, edited", null);
    Accepted vote = commands.vote("demo", reply.commentId(), ANN.id(), VoteDirection.UP);
    Accepted flag = commands.flag("demo", reply.commentId(), "u-carl", "off topic");
    Accepted lock = commands.lock(t2, "mod");

    assertThat(List.of(first.seq(), reply.seq(), edit.seq(), vote.seq(), flag.seq()))
        .containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(List.of(other.seq(), lock.seq())).containsExactly(0L, 1L);
    assertThat(first.commentId()).isNotEqualTo(reply.commentId());
    assertThat(UUID.fromString(first.commentId()).version()).isEqualTo(7);
    // The seq a command reports is the sequence number of the event in the store.
    Document lastStored =
        database()
            .getCollection("domainevents")
            .find(Filters.eq("aggregateIdentifier", "demo/t1"))
            .sort(Sorts.descending("sequenceNumber"))
            .first();
    assertThat(((Number) lastStored.get("sequenceNumber")).longValue()).isEqualTo(flag.seq());

    Map<String, List<EventEnvelope>> byStream = byStream(consume(settings.topic(), 7));
    assertThat(byStream.get("demo/t1"))
        .extracting(EventEnvelope::seq)
        .containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(byStream.get("demo/t1"))
        .extracting(e -> e.event().getClass().getSimpleName())
        .containsExactly(
            "CommentPosted", "CommentPosted", "CommentEdited", "CommentVoted", "CommentFlagged");
    assertThat(byStream.get("demo/t2"))
        .extracting(e -> e.event().getClass().getSimpleName())
        .containsExactly("CommentPosted", "ThreadLocked");
    assertThat(((CommentEdited) byStream.get("demo/t1").get(2).event()).text())
        .isEqualTo("First, edited");
  }

  @Test
  void refuses_commands_on_comments_it_cannot_find_and_forgets_refused_posts() {
    CommentCommands commands = start(settings);
    ThreadId thread = new ThreadId("demo", "t1");
    Accepted posted = commands.post(thread, null, ANN, "Hello");

    assertThatThrownBy(() -> commands.edit("demo", "no-such-comment", ANN.id(), "x", null))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> assertThat(e.rejection()).isEqualTo(Rejection.COMMENT_NOT_FOUND));
    // The same comment id seen from another tenant does not exist there.
    assertThatThrownBy(() -> commands.delete("other", posted.commentId(), ANN.id()))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> assertThat(e.rejection()).isEqualTo(Rejection.COMMENT_NOT_FOUND));
    assertThatThrownBy(() -> commands.post(thread, "no-such-parent", BEN, "Reply"))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> assertThat(e.rejection()).isEqualTo(Rejection.PARENT_NOT_FOUND));
    assertThatThrownBy(() -> commands.post(new ThreadId("demo", "t9"), null, BEN, " "))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> assertThat(e.rejection()).isEqualTo(Rejection.TEXT_EMPTY));
    assertThat(database().getCollection(CommentLocator.COLLECTION).countDocuments()).isEqualTo(1);

    // Clearing a vote one never cast stores nothing and reports the thread's current seq.
    assertThat(commands.vote("demo", posted.commentId(), BEN.id(), VoteDirection.NONE).seq())
        .isEqualTo(0L);
    assertThatThrownBy(() -> commands.unlock(new ThreadId("demo", "never-posted"), "mod"))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> assertThat(e.rejection()).isEqualTo(Rejection.THREAD_NOT_FOUND));
    assertThat(database().getCollection("domainevents").countDocuments()).isEqualTo(1);
  }

  @Test
  void a_keyed_post_sent_again_after_a_restart_is_answered_from_the_store_and_stored_once() {
    ThreadId thread = new ThreadId("demo", "retries");
    IdempotencyKeys.Key key = new IdempotencyKeys.Key("demo", "session:s-ann", "k1");
    Accepted first = start(settings).keyed(key, "h1").post(thread, null, ANN, "once");
    commandSide.close();

    // A new command side has no thread in memory: it loads it from the event store.
    CommentCommands commands = start(settings);
    Accepted retry = commands.keyed(key, "h1").post(thread, null, ANN, "once");
    Accepted other = commands.keyed(key, "h2").post(thread, null, ANN, "new request");

    assertThat(retry).isEqualTo(first);
    assertThat(other.seq()).isEqualTo(1L);
    assertThat(database().getCollection("domainevents").countDocuments()).isEqualTo(2);
    // The comment id made for the retry was forgotten again: it names nothing.
    assertThat(database().getCollection(CommentLocator.COLLECTION).countDocuments()).isEqualTo(2);
    assertThat(byStream(consume(settings.topic(), 2)).get("demo/retries"))
        .extracting(e -> ((CommentPosted) e.event()).commentId())
        .containsExactly(first.commentId(), other.commentId());
  }

  @Test
  void a_keyed_post_retried_after_its_media_was_removed_is_settled_not_refused() throws Exception {
    start(settings);
    MediaCommands media = commandSide.media(MediaLimits.DEFAULTS);
    String image = media.upload("demo", "s-ann", "image/png", -1, png()).mediaId();
    CommentCommands commands = commandSide.commands();
    ThreadId thread = new ThreadId("demo", "in-doubt");
    IdempotencyKeys.Key key = new IdempotencyKeys.Key("demo", "session:s-ann", "k1");
    // The first attempt was stored, but its caller never heard the answer (the key is in doubt).
    Accepted first =
        commands.keyed(key, "h1").post(thread, null, ANN, "look", List.of(image), null);
    media.remove("demo", image, "mod");

    Accepted retry =
        commands.keyed(key, "h1").post(thread, null, ANN, "look", List.of(image), null);

    assertThat(retry).isEqualTo(first);
    // A post the thread never applied is checked as new: refused, under another key or request.
    IdempotencyKeys.Key other = new IdempotencyKeys.Key("demo", "session:s-ann", "k2");
    for (CommentCommands notApplied :
        List.of(commands.keyed(other, "h1"), commands.keyed(key, "h2"), commands)) {
      assertThatThrownBy(() -> notApplied.post(thread, null, ANN, "look", List.of(image), null))
          .isInstanceOfSatisfying(
              CommandRejectedException.class,
              e -> assertThat(e.rejection()).isEqualTo(Rejection.MEDIA_REMOVED));
    }
    // Nor is a thread that has no event asked in vain.
    assertThatThrownBy(
            () ->
                commands
                    .keyed(key, "h1")
                    .post(new ThreadId("demo", "empty"), null, ANN, "x", List.of(image), null))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> assertThat(e.rejection()).isEqualTo(Rejection.MEDIA_REMOVED));
    assertThat(
            database()
                .getCollection("domainevents")
                .countDocuments(Filters.eq("aggregateIdentifier", thread.streamId())))
        .isEqualTo(1);
    assertThat(database().getCollection(CommentLocator.COLLECTION).countDocuments()).isEqualTo(1);

    // An edit's media are checked the same way, and its keyed retry settled the same way.
    String second = media.upload("demo", "s-ann", "image/png", -1, png()).mediaId();
    IdempotencyKeys.Key editKey = new IdempotencyKeys.Key("demo", "session:s-ann", "k3");
    Accepted edited =
        commands
            .keyed(editKey, "h3")
            .edit("demo", first.commentId(), ANN.id(), "new", List.of(second));
    media.remove("demo", second, "mod");
    assertThat(
            commands
                .keyed(editKey, "h3")
                .edit("demo", first.commentId(), ANN.id(), "new", List.of(second)))
        .isEqualTo(edited);
    assertThatThrownBy(
            () -> commands.edit("demo", first.commentId(), ANN.id(), "again", List.of(second)))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> assertThat(e.rejection()).isEqualTo(Rejection.MEDIA_REMOVED));
    assertThat(commands.edit("demo", first.commentId(), ANN.id(), "none", List.of()).seq())
        .isEqualTo(edited.seq() + 1);
  }

  private static InputStream png() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), "png", out);
    return new ByteArrayInputStream(out.toByteArray());
  }

  @Test
  void after_a_restart_publishes_what_was_stored_meanwhile_without_starting_over() {
    ThreadId thread = new ThreadId("demo", "restarts");
    CommentCommands commands = start(settings);
    Accepted first = commands.post(thread, null, ANN, "one");
    commands.post(thread, first.commentId(), BEN, "two");
    commands.post(thread, first.commentId(), BEN, "three");
    assertThat(consume(settings.topic(), 3)).hasSize(3);
    commandSide.close();

    // Stored while no publisher runs: these must come out after the next start.
    commands = start(settings.withPublisherEnabled(false));
    commands.post(thread, null, ANN, "four");
    commands.vote("demo", first.commentId(), BEN.id(), VoteDirection.DOWN);
    commandSide.close();

    commands = start(settings);
    commands.post(thread, null, BEN, "six");

    List<EventEnvelope> all = consume(settings.topic(), 6);
    assertThat(all).extracting(EventEnvelope::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void a_restarted_command_side_rebuilds_a_long_thread_from_its_snapshot_and_the_events_after_it() {
    ThreadId thread = new ThreadId("demo", "long");
    CommandSideSettings quiet = settings.withPublisherEnabled(false);
    CommentCommands commands = start(quiet);
    Accepted first = commands.post(thread, null, ANN, "first");
    commands.flag("demo", first.commentId(), BEN.id(), "spam");
    for (int i = 0; i < CommandSide.SNAPSHOT_EVERY + 20; i++) {
      commands.post(thread, first.commentId(), BEN, "reply " + i);
    }
    Accepted last = commands.post(thread, null, BEN, "last before restart");
    MongoCollection<Document> snapshots = database().getCollection("snapshotevents");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> snapshots.countDocuments(Filters.eq("aggregateIdentifier", "demo/long")) == 1);
    commandSide.close();
    // Only the snapshot knows what the thread's first events said from here on.
    long snapshotSeq =
        snapshots
            .find(Filters.eq("aggregateIdentifier", "demo/long"))
            .first()
            .getLong("sequenceNumber");
    database()
        .getCollection("domainevents")
        .deleteMany(
            Filters.and(
                Filters.eq("aggregateIdentifier", "demo/long"),
                Filters.lte("sequenceNumber", snapshotSeq)));

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    commandSide = CommandSide.start(quiet, mongo, meters, Clock.systemUTC());
    CommentCommands restarted = commandSide.commands();
    Accepted next = restarted.post(thread, first.commentId(), ANN, "after restart");

    assertThat(snapshotSeq).isGreaterThanOrEqualTo(CommandSide.SNAPSHOT_EVERY);
    assertThat(next.seq()).isEqualTo(last.seq() + 1);
    assertThatThrownBy(() -> restarted.flag("demo", first.commentId(), BEN.id(), "spam again"))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> assertThat(e.rejection()).isEqualTo(Rejection.ALREADY_FLAGGED));
    assertThat(commandSide.positions().lastSeq(thread, ReadPreference.PRIMARY))
        .hasValue(next.seq());
    assertThat(
            commandSide.positions().lastSeq(new ThreadId("demo", "none"), ReadPreference.PRIMARY))
        .isEmpty();
    assertThat(meters.get("comments.aggregates.cache.misses").functionCounter().count())
        .isPositive();
  }

  @Test
  void a_second_publisher_of_the_log_fences_the_first_which_stops_and_says_so() {
    Logger publisherLog = (Logger) LoggerFactory.getLogger(EventPublisher.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    publisherLog.addAppender(logged);
    SimpleMeterRegistry firstMeters = new SimpleMeterRegistry();
    commandSide = CommandSide.start(settings, mongo, firstMeters, clock);
    CommentCommands first = commandSide.commands();
    ThreadId a = new ThreadId("demo", "a");
    first.post(a, null, ANN, "one");
    assertThat(consume(settings.topic(), 1)).hasSize(1);

    // A node left over from a deploy, or a new one: the same deployment, so the same publisher.
    try (CommandSide second =
        CommandSide.start(
            settings,
            mongo,
            p -> com.mongodb.ReadPreference.primary(),
            new SimpleMeterRegistry(),
            clock,
            PublisherOptions.defaults(settings.topic())
                .withSweepInterval(Duration.ofMillis(200)))) {
      second.commands().post(new ThreadId("demo", "b"), null, BEN, "two");
      assertThat(consume(settings.topic(), 2)).hasSize(2);

      first.post(a, null, ANN, "three");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> firstMeters.get("comments.publisher.fenced").gauge().value() == 1.0);
      assertThat(logged.list)
          .anySatisfy(
              e -> assertThat(e.getFormattedMessage()).contains("fenced").contains("stops"));
      // What the first stored but could not send is marked: the second's sweep sends it.
      Map<String, List<EventEnvelope>> byStream = byStream(consume(settings.topic(), 3));
      assertThat(byStream.get("demo/a")).extracting(EventEnvelope::seq).containsExactly(0L, 1L);
      assertThat(byStream.get("demo/b")).extracting(EventEnvelope::seq).containsExactly(0L);
    } finally {
      publisherLog.detachAppender(logged);
    }
  }

  @Test
  void publishes_a_threads_last_event_stamped_behind_newer_ones_loss_case_a() {
    CommentCommands commands = start(settings);
    commands.post(new ThreadId("demo", "newer"), null, ANN, "published first");
    assertThat(consume(settings.topic(), 1)).hasSize(1);

    // Stamped 10 s before an event already published, like an insert that landed late: a tail
    // ordered by timestamp with a 5 s look-back passed over it, and no later event of its thread
    // showed the gap.
    clock.stepBack(Duration.ofSeconds(10));
    ThreadId late = new ThreadId("demo", "late");
    commands.post(late, null, BEN, "the thread's last event");

    assertThat(byStream(consume(settings.topic(), 2)).get("demo/late"))
        .extracting(EventEnvelope::seq)
        .containsExactly(0L);
    assertThat(commandSide.positions().lastSeq(late, ReadPreference.PRIMARY))
        .isEqualTo(OptionalLong.of(0));
  }

  @Test
  void after_a_restart_publishes_an_unknown_threads_event_long_older_than_the_next_loss_case_b() {
    CommentCommands commands = start(settings);
    commands.post(new ThreadId("demo", "before"), null, ANN, "published before the restart");
    assertThat(consume(settings.topic(), 1)).hasSize(1);
    commandSide.close();

    // Stored while nothing publishes: seq 0 two minutes older than seq 1, more than the minute an
    // unknown thread's earlier events were looked back for, and behind the tail's position.
    commands = start(settings.withPublisherEnabled(false));
    ThreadId thread = new ThreadId("demo", "unknown");
    clock.stepBack(Duration.ofMinutes(2));
    Accepted old = commands.post(thread, null, ANN, "two minutes older");
    clock.reset();
    commands.post(thread, old.commentId(), BEN, "the next one");
    commandSide.close();

    start(settings);
    assertThat(byStream(consume(settings.topic(), 3)).get("demo/unknown"))
        .extracting(EventEnvelope::seq)
        .containsExactly(0L, 1L);
  }

  @Test
  void publishes_every_event_when_the_primarys_clock_steps_back_loss_case_c() {
    CommentCommands commands = start(settings);
    ThreadId known = new ThreadId("demo", "known");
    Accepted first = commands.post(known, null, ANN, "before the step");
    assertThat(consume(settings.topic(), 1)).hasSize(1);

    clock.stepBack(Duration.ofMinutes(1));
    commands.post(known, first.commentId(), BEN, "after the step");
    commands.post(new ThreadId("demo", "new"), null, BEN, "a new thread after the step");

    Map<String, List<EventEnvelope>> byStream = byStream(consume(settings.topic(), 3));
    assertThat(byStream.get("demo/known")).extracting(EventEnvelope::seq).containsExactly(0L, 1L);
    assertThat(byStream.get("demo/new")).extracting(EventEnvelope::seq).containsExactly(0L);
    assertThat(commandSide.positions().lastSeq(known, ReadPreference.PRIMARY))
        .isEqualTo(OptionalLong.of(1));
  }

  @Test
  void answers_a_threads_position_from_memory_and_after_a_restart_from_its_marks() {
    CommentCommands commands = start(settings);
    ThreadId thread = new ThreadId("demo", "positions");
    Accepted first = commands.post(thread, null, ANN, "one");
    commands.post(thread, first.commentId(), BEN, "two");
    assertThat(commandSide.positions().lastSeq(thread, ReadPreference.PRIMARY))
        .isEqualTo(OptionalLong.of(1));
    assertThat(
            commandSide
                .positions()
                .lastSeq(new ThreadId("demo", "never-written"), ReadPreference.PRIMARY))
        .isEmpty();
    consume(settings.topic(), 2);
    commandSide.close();

    start(settings);
    assertThat(commandSide.positions().lastSeq(thread, ReadPreference.PRIMARY))
        .isEqualTo(OptionalLong.of(1));
    commandSide.commands().post(thread, null, ANN, "three");
    assertThat(commandSide.positions().lastSeq(thread, ReadPreference.PRIMARY))
        .isEqualTo(OptionalLong.of(2));
  }

  @Test
  void reads_a_version_1_event_from_the_store_upcast_and_publishes_it_at_the_current_version()
      throws Exception {
    ThreadId thread = new ThreadId("demo", "legacy");
    String v1Payload =
        """
        {"tenant":"demo","thread":"legacy","commentId":"c-legacy","parentId":null,\
        "authorId":"s-42","text":"First!","postedAt":"2026-03-01T10:15:30Z"}""";
    database()
        .getCollection("domainevents")
        .insertOne(
            new Document("aggregateIdentifier", thread.streamId())
                .append("type", "CommentThread")
                .append("sequenceNumber", 0L)
                .append("serializedPayload", v1Payload)
                .append("timestamp", DateTimeUtils.formatInstant(Instant.now()))
                .append("payloadType", CommentPosted.class.getName())
                .append("payloadRevision", "1")
                .append("serializedMetaData", "{}")
                .append("eventIdentifier", UUID.randomUUID().toString()));
    database()
        .getCollection(CommentLocator.COLLECTION)
        .insertOne(
            new Document("_id", "demo/c-legacy")
                .append("tenant", "demo")
                .append("thread", "legacy")
                .append("commentId", "c-legacy"));

    CommentCommands commands = start(settings.withPublisherEnabled(true));
    // The aggregate replays the old event upcast: it knows the comment and its author.
    Accepted reply = commands.post(thread, "c-legacy", BEN, "Welcome back");
    assertThat(reply.seq()).isEqualTo(1L);
    assertThatThrownBy(() -> commands.delete("demo", "c-legacy", BEN.id()))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> assertThat(e.rejection()).isEqualTo(Rejection.NOT_AUTHOR));

    List<ConsumerRecord<String, byte[]>> records = consumeRecords(settings.topic(), 2);
    String json = new String(records.getFirst().value(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(json)
        .contains("\"type\":\"CommentPosted\"")
        .contains("\"version\":" + EventTypes.of(CommentPosted.class).version());
    CommentPosted upcast = (CommentPosted) codec.decode(records.getFirst().value()).event();
    assertThat(upcast.author()).isEqualTo(Author.anonymous("s-42", Author.ANONYMOUS_NAME));
    assertThat(upcast.text()).isEqualTo("First!");
    assertThat(upcast.status()).isEqualTo(CommentStatus.APPROVED);
  }

  private static Map<String, List<EventEnvelope>> byStream(List<EventEnvelope> envelopes) {
    Map<String, List<EventEnvelope>> byStream = new LinkedHashMap<>();
    for (EventEnvelope envelope : envelopes) {
      byStream.computeIfAbsent(envelope.stream().streamId(), s -> new ArrayList<>()).add(envelope);
    }
    return byStream;
  }

  private List<EventEnvelope> consume(String topic, int expected) {
    return consumeRecords(topic, expected).stream().map(r -> codec.decode(r.value())).toList();
  }

  /**
   * Reads the whole topic from the beginning until {@code expected} records arrived, then a little
   * longer, so that a record too many (a re-publication) would be seen as well.
   */
  private List<ConsumerRecord<String, byte[]>> consumeRecords(String topic, int expected) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // As every node reads the log: an aborted transaction's records are not events.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      List<TopicPartition> partitions = List.of();
      while (partitions.isEmpty() && System.nanoTime() < deadline) {
        partitions =
            consumer.listTopics().getOrDefault(topic, List.of()).stream()
                .map(PartitionInfo::partition)
                .map(p -> new TopicPartition(topic, p))
                .toList();
      }
      assertThat(partitions).as("partitions of " + topic).hasSize(settings.topicPartitions());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long settleUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, settleUntil)) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        if (records.size() >= expected && settleUntil == Long.MAX_VALUE) {
          settleUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        }
      }
    }
    assertThat(records).as("records on " + topic).hasSize(expected);
    return records;
  }
}
