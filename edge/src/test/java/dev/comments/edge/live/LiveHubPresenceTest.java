package dev.comments.edge.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.testing.QuietFeeds;
import dev.comments.edge.testing.RecordingQueries;
import dev.comments.events.ThreadId;
import dev.comments.query.BlockedUsers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * Presence rounds of a hub whose readers write to a real XNIO IO thread. The hub's own timer is set
 * to an hour, so each round is the test's call: one call is one debounce interval.
 */
class LiveHubPresenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ThreadId ARTICLE = new ThreadId("demo", "article-42");

  private final XnioWorker worker;
  private final LiveHub hub;
  private final Peers peers = new Peers();

  LiveHubPresenceTest() throws IOException {
    worker = Xnio.getInstance().createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
    LiveLimits hourly =
        new LiveLimits(
            100,
            16,
            256,
            Duration.ofSeconds(10),
            Duration.ofHours(1),
            Duration.ofHours(1),
            Duration.ofHours(1),
            4096);
    hub =
        new LiveHub(
            new QuietFeeds(),
            new RecordingQueries(),
            BlockedUsers.NONE,
            hourly,
            new SimpleMeterRegistry());
    hub.countRemote(peers);
  }

  @AfterEach
  void close() {
    hub.close();
    worker.shutdownNow();
  }

  @Test
  void presence_carries_the_deployment_total_and_this_nodes_own_count() {
    Reader reader = follow(ARTICLE);
    peers.set(ARTICLE, 3);
    hub.pushPresence();

    JsonNode presence = reader.awaitPresence(1);
    assertThat(presence.get("payload").get("viewers").asInt()).isEqualTo(4);
    assertThat(presence.get("payload").get("local").asInt()).isEqualTo(1);
    assertThat(hub.localViewers()).isEqualTo(Map.of(ARTICLE, 1));
  }

  @Test
  void a_peers_changes_within_one_round_are_pushed_once_and_an_unchanged_total_not_at_all() {
    Reader reader = follow(ARTICLE);
    hub.pushPresence();
    reader.awaitPresence(1);

    peers.set(ARTICLE, 2);
    peers.set(ARTICLE, 5);
    peers.set(ARTICLE, 4);
    hub.pushPresence();
    // The peer changed back and forth, to the total readers were told already.
    peers.set(ARTICLE, 7);
    peers.set(ARTICLE, 4);
    hub.pushPresence();
    peers.set(ARTICLE, 0);
    hub.pushPresence();
    peers.set(ARTICLE, 8);
    hub.pushPresence();

    // In order on one IO thread: once the last is there, every earlier one is.
    reader.awaitPresence(4);
    assertThat(reader.viewers()).containsExactly(1, 5, 1, 9);
  }

  @Test
  void a_new_reader_is_told_the_total_even_when_it_did_not_change() {
    Reader first = follow(ARTICLE);
    peers.set(ARTICLE, 2);
    hub.pushPresence();
    first.awaitPresence(1);

    // One more reader here while one left elsewhere: the same total, which the new reader needs.
    Reader second = follow(ARTICLE);
    peers.set(ARTICLE, 1);
    hub.pushPresence();

    second.awaitPresence(1);
    assertThat(second.viewers()).containsExactly(3);
    peers.set(ARTICLE, 2);
    hub.pushPresence();
    first.awaitPresence(2);
    assertThat(first.viewers()).containsExactly(3, 4);
  }

  private Reader follow(ThreadId thread) {
    Reader reader = new Reader(worker.getIoThread());
    LiveConnection connection = hub.connected(reader, "192.0.2.1", null);
    connection.follow(thread, OptionalLong.empty());
    return reader;
  }

  /** Another node's readers, as a test sets them; every change marks its thread. */
  private static final class Peers implements RemoteViewers {
    private final Map<ThreadId, Integer> counts = new HashMap<>();
    private final Set<ThreadId> changed = new HashSet<>();

    synchronized void set(ThreadId thread, int viewers) {
      counts.put(thread, viewers);
      changed.add(thread);
    }

    @Override
    public synchronized int viewers(ThreadId thread) {
      return counts.getOrDefault(thread, 0);
    }

    @Override
    public synchronized Set<ThreadId> changed() {
      Set<ThreadId> round = Set.copyOf(changed);
      changed.clear();
      return round;
    }
  }

  /** An outlet that keeps what it is sent. */
  private static final class Reader implements Outlet {
    private final XnioIoThread ioThread;
    private final List<JsonNode> presence = new CopyOnWriteArrayList<>();

    Reader(XnioIoThread ioThread) {
      this.ioThread = ioThread;
    }

    @Override
    public void send(LiveFrame frame, String type, String id, Consumer<Boolean> done) {
      if (type.equals("presence")) {
        try {
          presence.add(JSON.readTree(frame.json()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      done.accept(true);
    }

    JsonNode awaitPresence(int count) {
      await().atMost(Duration.ofSeconds(5)).until(() -> presence.size() >= count);
      assertThat(presence).hasSize(count);
      return presence.getLast();
    }

    List<Integer> viewers() {
      return presence.stream().map(m -> m.get("payload").get("viewers").asInt()).toList();
    }

    @Override
    public void ping() {}

    @Override
    public void close(int code, String reason) {}

    @Override
    public XnioIoThread ioThread() {
      return ioThread;
    }
  }
}
