package dev.comments.command;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import dev.comments.command.store.EventSerialization;
import dev.comments.command.store.KeyedEventReads;
import dev.comments.events.Author;
import dev.comments.events.CommentPosted;
import dev.comments.events.ThreadId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.extensions.mongo.DefaultMongoTemplate;
import org.axonframework.extensions.mongo.MongoTemplate;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.MongoEventStorageEngine;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.StorageStrategy;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.DocumentPerEventStorageStrategy;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.axonframework.serialization.Serializer;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A quick measurement, not a test: what a command costs on mongo-java-server (H2 file) as the store
 * grows, and what a thread load costs with axon-mongo's range reads against the keyed ones. Run it
 * with {@code -Dharness=true -Dit.test=CommandCostHarnessIT}; it prints a table and asserts
 * nothing.
 */
@EnabledIfSystemProperty(named = "harness", matches = "true")
class CommandCostHarnessIT {
  private static final Author ANN = Author.anonymous("s-ann", "Ann");
  private static final int BIG_THREAD = 10_000;
  private static final int STORE = 100_000;

  @Test
  void prints_what_a_command_costs_as_the_store_grows() throws Exception {
    Path dir = Files.createTempDirectory("command-cost");
    MongoServer server =
        new MongoServer(
            new H2Backend(new MVStore.Builder().fileName(dir.resolve("m.mv").toString()).open()));
    server.bind("127.0.0.1", 0);
    List<String> rows = new ArrayList<>();
    try (MongoClient mongo =
        MongoClients.create("mongodb://127.0.0.1:" + server.getLocalAddress().getPort())) {
      CommandSideSettings settings =
          CommandSideSettings.defaults("comments", "127.0.0.1:1").withPublisherEnabled(false);
      MongoTemplate template =
          DefaultMongoTemplate.builder().mongoDatabase(mongo.getDatabase("comments")).build();
      Serializer serializer = EventSerialization.newSerializer();
      EventStorageEngine ranged =
          engine(
              template,
              serializer,
              new DocumentPerEventStorageStrategy(EventEntryConfiguration.getDefault(), null));
      EventStorageEngine keyed =
          engine(template, serializer, new KeyedEventReads(template.snapshotCollection()));

      CommandSide side = CommandSide.start(settings, mongo, new SimpleMeterRegistry(), clock());
      ThreadId big = new ThreadId("demo", "big");
      String first = side.commands().post(big, null, ANN, "first").commentId();
      for (int i = 1; i < BIG_THREAD; i++) {
        side.commands().post(big, first, ANN, "reply " + i);
      }
      rows.add(
          row(
              "command on a thread of 10,000 events, cached",
              time(50, () -> side.commands().post(big, first, ANN, "warm").seq())));
      rows.add(row("POST to a new thread, 10,000 events stored", time(50, newThreads(side, "a"))));
      side.close();

      seed(keyed, STORE - BIG_THREAD - 100);
      CommandSide[] current = {
        CommandSide.start(settings, mongo, new SimpleMeterRegistry(), clock())
      };
      rows.add(
          row(
              "POST to a new thread, 100,000 events stored",
              time(50, newThreads(current[0], "b"))));
      rows.add(
          row(
              "command on the 10,000-event thread, cached",
              time(50, () -> current[0].commands().post(big, first, ANN, "warm").seq())));
      rows.add(
          row(
              "command on the 10,000-event thread, just started (cache miss)",
              median(
                  5,
                  () -> {
                    current[0].close();
                    current[0] =
                        CommandSide.start(settings, mongo, new SimpleMeterRegistry(), clock());
                    long start = System.nanoTime();
                    current[0].commands().post(big, first, ANN, "cold");
                    return System.nanoTime() - start;
                  })));
      int[] fresh = {0};
      rows.add(
          row(
              "POST to a new thread, just started (for comparison)",
              median(
                  5,
                  () -> {
                    current[0].close();
                    current[0] =
                        CommandSide.start(settings, mongo, new SimpleMeterRegistry(), clock());
                    long start = System.nanoTime();
                    current[0]
                        .commands()
                        .post(new ThreadId("demo", "fresh-" + fresh[0]++), null, ANN, "cold");
                    return System.nanoTime() - start;
                  })));
      current[0].close();
      int[] n = {0};
      rows.add(
          row(
              "load a new thread, axon-mongo range reads",
              time(3, () -> ranged.readEvents("demo/none-" + n[0]++).asStream().count())));
      rows.add(
          row(
              "load a new thread, keyed reads",
              time(10, () -> keyed.readEvents("demo/none-" + n[0]++).asStream().count())));
      rows.add(
          row(
              "load the 10,000-event thread in full, axon-mongo range reads",
              time(3, () -> ranged.readEvents("demo/big").asStream().count())));
      rows.add(
          row(
              "load the 10,000-event thread in full, keyed reads",
              time(3, () -> keyed.readEvents("demo/big").asStream().count())));
      rows.add(
          row(
              "last seq of the 10,000-event thread, axon-mongo",
              time(3, () -> ranged.lastSequenceNumberFor("demo/big").orElseThrow())));
      rows.add(
          row(
              "last seq of the 10,000-event thread, keyed search",
              time(10, () -> keyed.lastSequenceNumberFor("demo/big").orElseThrow())));
    } finally {
      server.shutdownNow();
    }
    System.out.println("\n| measured (mongo-java-server, H2 file) | median ms |\n| --- | ---: |");
    rows.forEach(System.out::println);
  }

  private static Clock clock() {
    return Clock.systemUTC();
  }

  private static LongSupplier newThreads(CommandSide side, String prefix) {
    int[] n = {0};
    return () -> side.commands().post(new ThreadId("demo", prefix + n[0]++), null, ANN, "hi").seq();
  }

  private static EventStorageEngine engine(
      MongoTemplate template, Serializer serializer, StorageStrategy strategy) {
    return MongoEventStorageEngine.builder()
        .mongoTemplate(template)
        .eventSerializer(serializer)
        .snapshotSerializer(serializer)
        .storageStrategy(strategy)
        .build();
  }

  /** Threads of ten events each, written straight to the store in batches. */
  private static void seed(EventStorageEngine engine, int events) {
    List<DomainEventMessage<?>> batch = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      String thread = "seed-" + (i / 10);
      batch.add(
          new GenericDomainEventMessage<>(
              "CommentThread",
              "demo/" + thread,
              i % 10,
              new CommentPosted("demo", thread, "c" + i, null, ANN, "seeded", Instant.now())));
      if (batch.size() == 1_000) {
        engine.appendEvents(batch);
        batch.clear();
      }
    }
    engine.appendEvents(batch);
  }

  private static double time(int runs, LongSupplier action) {
    return median(
        runs,
        () -> {
          long start = System.nanoTime();
          var unused = action.getAsLong();
          return System.nanoTime() - start;
        });
  }

  /** Median of the runs, each returning its own duration in nanoseconds. */
  private static double median(int runs, LongSupplier timedAction) {
    long[] nanos = new long[runs];
    for (int i = 0; i < runs; i++) {
      nanos[i] = timedAction.getAsLong();
    }
    Arrays.sort(nanos);
    return nanos[runs / 2] / 1e6;
  }

  private static String row(String what, double millis) {
    return String.format("| %s | %.2f |", what, millis);
  }
}
