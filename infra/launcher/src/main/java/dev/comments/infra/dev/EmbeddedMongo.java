package dev.comments.infra.dev;

import de.bwaldvogel.mongo.MongoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A MongoDB-wire server inside this JVM (mongo-java-server on an H2 file), for the embedded
 * default. The node talks to it through the real MongoDB Java Driver over a loopback socket,
 * exactly as it would to a MongoDB replica set, so no code path differs between the two.
 */
public final class EmbeddedMongo implements AutoCloseable {
  private final MongoServer server;
  private final InetSocketAddress address;

  private EmbeddedMongo(MongoServer server, InetSocketAddress address) {
    this.server = server;
    this.address = address;
  }

  /**
   * Serves the databases kept in {@code dataDir} on a free loopback port; every acknowledged write
   * survives a kill of the process.
   */
  public static EmbeddedMongo start(Path dataDir) throws IOException {
    return start(dataDir, "127.0.0.1");
  }

  /** As {@link #start(Path)}, on a free port of {@code host}. */
  public static EmbeddedMongo start(Path dataDir, String host) throws IOException {
    Path dir = Files.createDirectories(dataDir.toAbsolutePath());
    MongoServer server = new MongoServer(new DurableH2Backend(dir.resolve("mongo.mv").toString()));
    server.bind(host, 0);
    return new EmbeddedMongo(server, server.getLocalAddress());
  }

  public String connectionString() {
    return "mongodb://" + address.getHostString() + ":" + address.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
