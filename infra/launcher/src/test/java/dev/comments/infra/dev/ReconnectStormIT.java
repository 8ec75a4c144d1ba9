package dev.comments.infra.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.comments.infra.ApiClient;
import dev.comments.infra.LiveStorm;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand websocket readers on a dev node (its own JVM, 512 MiB of heap) lose it to a restart
 * and all come back at once, each after a jittered back-off: the node takes them all without
 * running out of memory, and every one ends up following its thread again.
 */
class ReconnectStormIT {
  private static final int READERS = 10_000;
  private static final int THREADS = 50;
  private static final int PER_ADDRESS = 100;
  private static final Duration SETTLE = Duration.ofMinutes(3);

  @TempDir Path work;

  @Test
  void ten_thousand_readers_come_back_to_a_restarted_node_and_all_follow_their_threads()
      throws Exception {
    long descriptors =
        ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getMaxFileDescriptorCount();
    assumeTrue(
        descriptors >= READERS + 2_000,
        "a storm of "
            + READERS
            + " readers needs more open files than this machine allows ("
            + descriptors
            + "); raise `ulimit -n`");
    Path data = work.resolve("data");
    int port = DevProcess.freePort();
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
    DevProcess node = DevProcess.start(data, port, "--rate-limits", "off");
    try (LiveStorm storm = new LiveStorm(address, "demo", READERS, THREADS, PER_ADDRESS)) {
      await().atMost(SETTLE).until(() -> storm.subscribed() == READERS);
      int before = storm.reconnects();

      node.stop();
      await().atMost(SETTLE).until(() -> storm.subscribed() == 0);
      node = DevProcess.start(data, port, "--rate-limits", "off");
      await().atMost(SETTLE).until(() -> storm.subscribed() == READERS);
      assertThat(storm.reconnects()).isGreaterThanOrEqualTo(before + READERS);

      ApiClient api = node.api();
      assertThat(metric(api, "comments_live_connections")).isEqualTo(READERS);
      String ada = api.session("demo", "Ada");
      assertThat(api.post("demo", "storm-0", ada, "welcome back", null).status()).isEqualTo(201);
      await().atMost(Duration.ofSeconds(30)).until(() -> storm.received() >= READERS / THREADS);
      assertThat(node.output()).doesNotContain("OutOfMemoryError");
      double heap = metric(api, "jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\}");
      System.out.printf(
          "storm: %d readers back after a restart, %d reconnects, heap in use %.0f MiB%n",
          storm.subscribed(), storm.reconnects(), heap / (1 << 20));
    } finally {
      node.close();
    }
  }

  /** A metric's value, summed over its series. */
  private static double metric(ApiClient api, String name) {
    String text =
        new String(api.send("GET", "/metrics", null, null).raw().body(), StandardCharsets.UTF_8);
    Matcher value = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
    double sum = 0;
    while (value.find()) {
      sum += Double.parseDouble(value.group(2));
    }
    return sum;
  }
}
