package dev.comments.infra.cluster;

import dev.comments.infra.dev.EmbeddedMongo;
import dev.comments.infra.node.NodeApplication;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One node of a local cluster, in its own process: its own MongoDB-wire server (its own copy of the
 * database, on its own loopback address) and the node itself, configured by the {@code
 * node.properties} that {@link LocalCluster} wrote into its directory. It stops when its standard
 * input closes: the cluster that started it is gone, by Ctrl-C or by a kill.
 */
public final class ClusterMember {
  static final String PROPERTIES = "node.properties";
  static final String MONGO_FILE = "mongo.uri";

  private ClusterMember() {}

  /** Starts the member and returns once it serves; the caller waits for it to be stopped. */
  public static AutoCloseable start(Path nodeDir, String host) throws IOException {
    Path dir = nodeDir.toAbsolutePath();
    EmbeddedMongo mongo = EmbeddedMongo.start(dir.resolve("mongo"), host);
    try {
      Files.writeString(dir.resolve(MONGO_FILE), mongo.connectionString(), StandardCharsets.UTF_8);
      ConfigurableApplicationContext node =
          NodeApplication.run(
              Map.of(
                  "spring.config.import",
                  "file:" + dir.resolve(PROPERTIES),
                  "comments.mongo.uri",
                  mongo.connectionString(),
                  // Its embedded store keeps a prefix of its writes: appends can be pipelined.
                  "comments.event-store.pipelined-appends",
                  "true"));
      return () -> {
        try {
          node.close();
        } finally {
          mongo.close();
        }
      };
    } catch (IOException | RuntimeException e) {
      mongo.close();
      throw e;
    }
  }
}
