package dev.comments.geodns;

import dev.comments.geodns.geo.IndexBuildException;
import dev.comments.geodns.node.InMemoryNodeMap;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the server on its own, with static nodes: {@code Main <settings.properties>}. Exits 2 on a
 * bad settings file or database, so a supervisor sees a start-up error rather than a server that
 * answers everyone from the fallback.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: geodns <settings.properties>");
      System.exit(2);
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(Path.of(args[0]))) {
      properties.load(reader);
    }
    GeoDnsServer server;
    try {
      StandaloneConfig config = StandaloneConfig.from(properties);
      server =
          GeoDnsServer.start(
              config.settings(),
              new InMemoryNodeMap(config.nodes()),
              Clock.systemUTC(),
              new SimpleMeterRegistry());
    } catch (IndexBuildException | IllegalArgumentException | IOException e) {
      System.err.println("geodns: cannot start: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                }));
    stopped.await();
  }
}
