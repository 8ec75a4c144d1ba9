package dev.comments.infra.kafka;

import java.io.IOException;
import java.io.InputStream;

/**
 * How a child process of ours (the Kafka broker, a node of a local cluster) goes away with its
 * parent: the parent holds the child's standard input open for as long as it lives; the operating
 * system closes it when the parent dies, however it dies (even {@code kill -9}), and the end of
 * input exits the child, running its shutdown hooks. No orphan is left behind.
 */
public final class ParentLifeline {
  private ParentLifeline() {}

  /** Starts the daemon thread that exits this JVM when standard input ends; returns it. */
  public static Thread watch() {
    return Thread.ofPlatform()
        .daemon()
        .name("parent-lifeline")
        .start(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // The parent never writes: anything read is ignored until the end of input.
                }
              } catch (IOException ignored) {
                // A broken pipe means the same as the end of input.
              }
              System.exit(0);
            });
  }
}
