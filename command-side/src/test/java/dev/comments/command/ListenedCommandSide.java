package dev.comments.command;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.event.CommandListener;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * A command side over mongo-java-server on a real socket, as the embedded default runs it
 * (pipelined appends, publisher off, so no broker is needed), whose driver tells {@code listener}
 * of every command it sends: for tests that count or watch what a write sends to the store.
 */
final class ListenedCommandSide implements AutoCloseable {
  final MongoServer server;
  final MongoClient client;
  final CommandSide side;

  private ListenedCommandSide(MongoServer server, MongoClient client, CommandSide side) {
    this.server = server;
    this.client = client;
    this.side = side;
  }

  /** {@code backend} may be a subclass that injects store failures. */
  static ListenedCommandSide start(
      MemoryBackend backend, CommandListener listener, MeterRegistry meters) {
    MongoServer server = new MongoServer(backend);
    server.bind("127.0.0.1", 0);
    MongoClient client =
        MongoClients.create(
            MongoClientSettings.builder()
                .applyConnectionString(
                    new ConnectionString(
                        "mongodb://127.0.0.1:" + server.getLocalAddress().getPort()))
                .addCommandListener(listener)
                .build());
    CommandSide side =
        CommandSide.start(
            CommandSideSettings.defaults("comments", "127.0.0.1:1")
                .withPublisherEnabled(false)
                .withPipelinedAppends(true),
            client,
            meters,
            Clock.systemUTC());
    return new ListenedCommandSide(server, client, side);
  }

  @Override
  public void close() {
    side.close();
    client.close();
    server.shutdownNow();
  }
}
