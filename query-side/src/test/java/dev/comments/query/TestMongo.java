package dev.comments.query;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.event.CommandListener;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-memory MongoDB-wire server on a loopback port, spoken to through the real driver, as every
 * test of this module uses it. A test class shares one, registered as {@code @RegisterExtension
 * static final TestMongo mongo = new TestMongo();}, which stops it after the class's last test;
 * each test takes a {@link #freshDatabase}.
 */
public final class TestMongo implements AutoCloseable, AfterAllCallback {
  private static final AtomicInteger databases = new AtomicInteger();

  private final MongoServer server;
  private final MongoClient client;

  public TestMongo() {
    server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", 0);
    InetSocketAddress address = server.getLocalAddress();
    client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort());
  }

  public MongoClient client() {
    return client;
  }

  /** Another client of the same server that tells {@code listener} every command it sends. */
  public MongoClient clientWith(CommandListener listener) {
    InetSocketAddress address = server.getLocalAddress();
    return MongoClients.create(
        MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString("mongodb://127.0.0.1:" + address.getPort()))
            .addCommandListener(listener)
            .build());
  }

  /** A database no other test has used. */
  public MongoDatabase freshDatabase() {
    return client.getDatabase("test_" + databases.incrementAndGet());
  }

  /** Every document of the named collections, in a stable order, for exact comparison. */
  public static Map<String, List<String>> dump(MongoDatabase database, String... collections) {
    Map<String, List<String>> dump = new LinkedHashMap<>();
    for (String name : collections) {
      List<String> docs = new ArrayList<>();
      for (Document doc : database.getCollection(name).find()) {
        docs.add(doc.toJson());
      }
      docs.sort(Comparator.naturalOrder());
      dump.put(name, docs);
    }
    return dump;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    client.close();
    server.shutdownNow();
  }
}
