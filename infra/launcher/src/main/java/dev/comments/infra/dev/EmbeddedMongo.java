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
  /**
   * Threads that answer connections. A write holds its connection's thread until the commit that
   * holds it, so concurrent writes on connections that share a thread cannot share a commit; the
   * driver pools up to 100 connections.
   */
  private static final int WORKER_THREADS = 64;

  private final MongoServer server;
  private final DurableH2Backend backend;
  private final InetSocketAddress address;

  private EmbeddedMongo(MongoServer server, DurableH2Backend backend, InetSocketAddress address) {
    this.server = server;
    this.backend = backend;
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
    DurableH2Backend backend = new DurableH2Backend(dir.resolve("mongo.mv").toString());
    MongoServer server = new MongoServer(backend);
    server.bind(new InetSocketAddress(host, 0), 1, WORKER_THREADS);
    return new EmbeddedMongo(server, backend, server.getLocalAddress());
  }

  public String connectionString() {
    return "mongodb://" + address.getHostString() + ":" + address.getPort();
  }

  /** Writes that waited for a commit so far, and the commits that held them. */
  public CommitCounts commitCounts() {
    GroupCommit.Counts counts = backend.commitCounts();
    return new CommitCounts(counts.writes(), counts.commits());
  }

  /** How many writes waited for a commit, and how many commits held them. */
  public record CommitCounts(long writes, long commits) {}

  @Override
  public void close() {
    server.shutdownNow();
  }
}
