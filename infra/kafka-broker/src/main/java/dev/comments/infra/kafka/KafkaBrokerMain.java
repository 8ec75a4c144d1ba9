package dev.comments.infra.kafka;

import java.io.IOException;
import java.io.InputStream;

/**
 * The child process's entry point: runs {@code kafka.Kafka} and exits when the parent goes away.
 *
 * <p>The parent holds this process's standard input open for as long as it lives; the operating
 * system closes it when the parent dies, however it dies (even {@code kill -9}), and the end of
 * input stops the broker. That is what keeps a crashed launcher from leaving an orphan broker.
 */
public final class KafkaBrokerMain {
  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    Thread watchdog =
        Thread.ofPlatform()
            .daemon()
            .name("parent-watchdog")
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
    Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) args);
    watchdog.interrupt();
  }
}
