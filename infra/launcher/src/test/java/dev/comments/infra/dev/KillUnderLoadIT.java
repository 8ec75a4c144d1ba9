package dev.comments.infra.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.comments.infra.ApiClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a dev node while writers keep posting: the embedded store commits writes in
 * groups, and every write the node acknowledged must still be there after the restart. Some writers
 * share one hot thread, whose appends are pipelined (answered after a barrier that covers them).
 */
class KillUnderLoadIT {
  private static final int WRITERS = 16;

  /** Writers that all post to one thread, as at a live event: its appends are pipelined. */
  private static final int HOT_WRITERS = 8;

  /** Each writer posts to its own thread, at most this many: one page of the thread holds all. */
  private static final int POSTS_EACH = 95;

  private static final int KILL_AFTER = 400;

  @TempDir Path work;

  @Test
  void every_comment_acknowledged_before_a_kill_under_load_is_there_after_the_restart()
      throws Exception {
    Path data = work.resolve("data");
    Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger acks = new AtomicInteger();
    AtomicBoolean killed = new AtomicBoolean();
    try (DevProcess node = DevProcess.start(data, "--rate-limits", "off");
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS + HOT_WRITERS)) {
      ApiClient api = node.api();
      String token = api.session("demo", "Writer");
      for (int w = 0; w < WRITERS; w++) {
        String thread = "kill-" + w;
        Set<String> ids = acknowledged.computeIfAbsent(thread, t -> ConcurrentHashMap.newKeySet());
        writers.execute(
            () -> {
              for (int i = 0; i < POSTS_EACH && !killed.get(); i++) {
                try {
                  ApiClient.Reply reply = api.post("demo", thread, token, "post " + i, null);
                  if (reply.status() == 201) {
                    ids.add(reply.json().get("commentId").asText());
                    acks.incrementAndGet();
                  }
                } catch (RuntimeException nodeGone) {
                  return;
                }
              }
            });
      }
      Set<String> hotIds =
          acknowledged.computeIfAbsent("kill-hot", t -> ConcurrentHashMap.newKeySet());
      AtomicInteger hotPosts = new AtomicInteger();
      for (int w = 0; w < HOT_WRITERS; w++) {
        writers.execute(
            () -> {
              // One page holds the whole thread: the hot writers share the bound of one writer.
              for (int n = hotPosts.incrementAndGet();
                  n <= POSTS_EACH && !killed.get();
                  n = hotPosts.incrementAndGet()) {
                try {
                  ApiClient.Reply reply =
                      api.post("demo", "kill-hot", token, "hot post " + n, null);
                  if (reply.status() == 201) {
                    hotIds.add(reply.json().get("commentId").asText());
                    acks.incrementAndGet();
                  }
                } catch (RuntimeException nodeGone) {
                  return;
                }
              }
            });
      }
      await().atMost(Duration.ofMinutes(2)).until(() -> acks.get() >= KILL_AFTER);
      node.kill();
      killed.set(true);
      writers.shutdown();
      assertThat(writers.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
    }
    System.out.println("acknowledged before the kill: " + acks.get());

    try (DevProcess node = DevProcess.start(data, "--rate-limits", "off")) {
      ApiClient api = node.api();
      for (var entry : acknowledged.entrySet()) {
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  ApiClient.Reply page = api.thread("demo", entry.getKey(), "limit=100", null);
                  assertThat(page.status()).as("%s", page.json()).isEqualTo(200);
                  assertThat(ids(page.json())).containsAll(entry.getValue());
                });
      }
    }
  }

  private static Set<String> ids(JsonNode page) {
    Set<String> ids = new HashSet<>();
    page.get("comments").forEach(c -> ids.add(c.get("id").asText()));
    return ids;
  }
}
