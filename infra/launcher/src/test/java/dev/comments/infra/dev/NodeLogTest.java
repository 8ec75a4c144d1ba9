package dev.comments.infra.dev;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The node's log configuration (logback.xml, read as a node reads it): what a client or an
 * operator's routine can make the node log must not read as a failure.
 */
class NodeLogTest {
  @TempDir Path dataDir;

  @Test
  void a_command_on_an_aggregate_that_does_not_exist_is_not_logged_as_a_warning() {
    // Axon's repository logs it at WARN with its stack; the command's caller answers 404.
    assertThat(
            ((Logger)
                    LoggerFactory.getLogger(
                        "org.axonframework.modelling.command.AbstractRepository"))
                .isEnabledFor(Level.WARN))
        .isFalse();
  }

  @Test
  void a_drop_of_a_missing_collection_reaches_the_console_as_nothing_but_other_failures_do()
      throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Appender<ILoggingEvent> console = root.getAppender("console");
    assertThat(console).as("the console appender of logback.xml").isNotNull();
    Logger store = (Logger) LoggerFactory.getLogger("de.bwaldvogel");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    store.addAppender(logged);
    try (EmbeddedMongo mongo = EmbeddedMongo.start(dataDir);
        MongoClient client = MongoClients.create(mongo.connectionString())) {
      // The driver takes MongoDB's answer for a missing collection as done; the store logs it.
      client.getDatabase("comments").getCollection("never_written").drop();
    } finally {
      store.detachAppender(logged);
    }

    assertThat(logged.list).as("what the store logged of the drop").isNotEmpty();
    assertThat(logged.list)
        .allSatisfy(e -> assertThat(console.getFilterChainDecision(e)).isEqualTo(FilterReply.DENY));

    LoggingEvent other =
        new LoggingEvent(
            Logger.class.getName(),
            store,
            Level.ERROR,
            "failed to handle {}",
            new IllegalStateException("a real failure"),
            new Object[] {"{}"});
    assertThat(console.getFilterChainDecision(other)).isEqualTo(FilterReply.NEUTRAL);
  }
}
