package dev.comments.infra.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.comments.infra.ApiClient;
import dev.comments.infra.ApiClient.Reply;
import dev.comments.infra.LiveClient;
import dev.comments.infra.LiveClient.Socket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live protocol end to end on a dev node (real Kafka broker, store over a socket): websockets
 * and event streams with the JDK's clients, and a raw socket for a reader that never reads.
 */
class LiveIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int CONNECTIONS_PER_ADDRESS = 8;
  private static final int SUBSCRIPTIONS_PER_CONNECTION = 3;
  @TempDir static Path data;
  private static DevNode node;
  private static ApiClient api;
  private static String ws;

  @BeforeAll
  static void startNode() throws Exception {
    node =
        DevNode.start(
            data,
            0,
            "--comments.limits.enabled=false",
            "--comments.live.connections-per-address=" + CONNECTIONS_PER_ADDRESS,
            "--comments.live.subscriptions-per-connection=" + SUBSCRIPTIONS_PER_CONNECTION,
            "--comments.live.queued-messages=16",
            "--comments.live.behind-timeout=2s",
            // Event streams notice a reader is gone when they next write: keep-alives, here.
            "--comments.live.ping-interval=1s",
            "--comments.live.presence-interval=200ms");
    api = new ApiClient(node.baseUrl());
    ws = node.baseUrl().replace("http://", "ws://");
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @BeforeEach
  void everyEarlierReaderIsGone() {
    await().atMost(WAIT).until(() -> metric("comments_live_connections") == 0);
  }

  @Test
  void a_new_threads_first_comment_and_what_follows_arrive_as_a_read_shows_them() {
    String ada = api.session("demo", "Ada");
    try (Socket reader = socket("/live/v1/tenants/demo/threads/fresh", ada)) {
      JsonNode subscribed = reader.next("subscribed", WAIT);
      assertThat(subscribed.get("position").asLong()).isEqualTo(-1);
      assertThat(subscribed.get("thread").asText()).isEqualTo("fresh");

      Reply posted = api.post("demo", "fresh", ada, "First!", null);
      String id = posted.json().get("commentId").asText();
      JsonNode live = reader.next("comment-posted", WAIT);
      assertThat(live.get("position").asLong()).isZero();
      JsonNode read = api.thread("demo", "fresh", null, null).json().get("comments").get(0);
      assertThat(live.get("payload")).isEqualTo(read);

      api.send(
          "POST", "/api/v1/tenants/demo/comments/" + id + "/vote", ada, "{\"direction\":\"up\"}");
      JsonNode vote = reader.next("vote-changed", WAIT);
      assertThat(vote.get("payload").get("commentId").asText()).isEqualTo(id);
      assertThat(vote.get("payload").get("votes").get("up").asLong()).isEqualTo(1);
      assertThat(vote.get("payload").get("myVote").asText()).isEqualTo("up");

      api.send("PATCH", "/api/v1/tenants/demo/comments/" + id, ada, "{\"text\":\"First, edited\"}");
      JsonNode edited = reader.next("comment-edited", WAIT);
      assertThat(edited.get("payload").get("text").asText()).isEqualTo("First, edited");
      assertThat(edited.get("payload"))
          .isEqualTo(api.thread("demo", "fresh", null, null).json().get("comments").get(0));

      api.send("POST", "/api/v1/tenants/demo/threads/fresh/lock", node.adminKey(), null);
      assertThat(reader.next("thread-locked", WAIT).get("payload").get("locked").asBoolean())
          .isTrue();
      api.send("POST", "/api/v1/tenants/demo/threads/fresh/unlock", node.adminKey(), null);
      reader.next("thread-unlocked", WAIT);

      api.send("DELETE", "/api/v1/tenants/demo/comments/" + id, ada, null);
      JsonNode deleted = reader.next("comment-deleted", WAIT);
      assertThat(deleted.get("payload").get("deleted").asBoolean()).isTrue();
      assertThat(deleted.get("payload").get("text").isNull()).isTrue();
      assertThat(deleted.get("position").asLong()).isEqualTo(5);
    }
  }

  @Test
  void each_reader_sees_its_own_vote_and_anonymous_readers_none() {
    String ada = api.session("demo", "Ada");
    String bob = api.session("demo", "Bob");
    Reply posted = api.post("demo", "votes", ada, "Vote on me", null);
    String id = posted.json().get("commentId").asText();
    // Subscribe once the node shows the comment, so that its post is not news to these readers.
    api.thread("demo", "votes", null, posted.json().get("token").asText());
    try (Socket adas = socket("/live/v1/tenants/demo/threads/votes", ada);
        Socket bobs = socket("/live/v1/tenants/demo/threads/votes", bob);
        Socket anonymous = socket("/live/v1/tenants/demo/threads/votes", null)) {
      for (Socket reader : List.of(adas, bobs, anonymous)) {
        reader.next("subscribed", WAIT);
      }
      api.send(
          "POST", "/api/v1/tenants/demo/comments/" + id + "/vote", ada, "{\"direction\":\"down\"}");
      assertThat(myVote(adas.next("vote-changed", WAIT))).isEqualTo("down");
      assertThat(myVote(bobs.next("vote-changed", WAIT))).isEqualTo("none");
      assertThat(myVote(anonymous.next("vote-changed", WAIT))).isEqualTo("none");
      api.send(
          "POST", "/api/v1/tenants/demo/comments/" + id + "/vote", bob, "{\"direction\":\"up\"}");
      // Bob's vote does not change Ada's: she still sees her own.
      JsonNode seenByAda = adas.next("vote-changed", WAIT);
      assertThat(myVote(seenByAda)).isEqualTo("down");
      assertThat(seenByAda.get("payload").get("votes").get("up").asLong()).isEqualTo(1);
      assertThat(myVote(bobs.next("vote-changed", WAIT))).isEqualTo("up");
    }
  }

  @Test
  void a_reader_who_blocked_an_author_no_longer_receives_their_comments_live() {
    String ada = api.session("demo", "Ada");
    String bob = api.session("demo", "Bob");
    String adaId =
        api.post("demo", "blocking", ada, "Hello", null).json().get("commentId").asText();
    String adaAuthorId =
        api.thread("demo", "blocking", null, null)
            .json()
            .get("comments")
            .get(0)
            .get("author")
            .get("id")
            .asText();
    assertThat(adaId).isNotBlank();
    Reply blocked =
        api.send(
            "POST", "/api/v1/tenants/demo/blocks", bob, "{\"userId\":\"" + adaAuthorId + "\"}");
    assertThat(blocked.status()).isEqualTo(200);
    assertThat(blocked.json().get("userIds"))
        .extracting(JsonNode::asText)
        .containsExactly(adaAuthorId);
    await().atMost(WAIT).until(() -> blockedBy(bob).size() == 1);
    try (Socket bobs = socket("/live/v1/tenants/demo/threads/blocking", bob);
        Socket anonymous = socket("/live/v1/tenants/demo/threads/blocking", null)) {
      bobs.next("subscribed", WAIT);
      anonymous.next("subscribed", WAIT);
      api.post("demo", "blocking", ada, "Bob will not see this", null);
      api.post("demo", "blocking", bob, "Bob's own", null);
      assertThat(anonymous.next("comment-posted", WAIT).get("payload").get("text").asText())
          .isEqualTo("Bob will not see this");
      JsonNode seenByBob = bobs.next("comment-posted", WAIT);
      assertThat(seenByBob.get("payload").get("text").asText()).isEqualTo("Bob's own");
      String bobId = seenByBob.get("payload").get("author").get("id").asText();
      assertThat(
              api.send("POST", "/api/v1/tenants/demo/blocks", bob, "{\"userId\":\"" + bobId + "\"}")
                  .errorCode())
          .isEqualTo("cannot_block_self");

      Reply unblocked = api.send("DELETE", "/api/v1/tenants/demo/blocks/" + adaAuthorId, bob, null);
      assertThat(unblocked.status()).isEqualTo(200);
      assertThat(unblocked.json().get("userIds")).isEmpty();
      await().atMost(WAIT).until(() -> blockedBy(bob).isEmpty());
      api.post("demo", "blocking", ada, "seen again", null);
      assertThat(bobs.next("comment-posted", WAIT).get("payload").get("text").asText())
          .isEqualTo("seen again");
    }
    assertThat(
            api.send("POST", "/api/v1/tenants/demo/blocks", bob, "{\"userId\":\"a/b\"}")
                .errorCode())
        .isEqualTo("invalid_user_id");
    assertThat(api.send("GET", "/api/v1/tenants/demo/blocks", null, null).status()).isEqualTo(401);
  }

  @Test
  void a_stream_reader_resumes_from_its_last_event_id_without_gap_or_duplicate() {
    String ada = api.session("demo", "Ada");
    String lastId;
    try (LiveClient.Stream stream = stream("/stream/v1/tenants/demo/threads/resume", null, null)) {
      assertThat(stream.status).isEqualTo(200);
      stream.next("subscribed", WAIT);
      for (int i = 0; i < 3; i++) {
        api.post("demo", "resume", ada, "before " + i, null);
      }
      List<JsonNode> first =
          stream.waitFor(got -> posted(got).size() == 3, WAIT).stream()
              .filter(m -> m.get("type").asText().equals("comment-posted"))
              .toList();
      assertThat(first).extracting(m -> m.get("sseId").asText()).containsExactly("0", "1", "2");
      assertThat(first).extracting(m -> m.get("sseEvent").asText()).containsOnly("comment-posted");
      lastId = first.getLast().get("sseId").asText();
    }
    for (int i = 0; i < 3; i++) {
      api.post("demo", "resume", ada, "while away " + i, null);
    }
    try (LiveClient.Stream stream =
        stream("/stream/v1/tenants/demo/threads/resume", lastId, null)) {
      api.post("demo", "resume", ada, "after", null);
      List<JsonNode> got = stream.waitFor(g -> posted(g).size() == 4, WAIT);
      assertThat(posted(got))
          .extracting(m -> m.get("position").asLong())
          .containsExactly(3L, 4L, 5L, 6L);
      assertThat(posted(got))
          .extracting(m -> m.get("payload").get("text").asText())
          .containsExactly("while away 0", "while away 1", "while away 2", "after");
      assertThat(posted(stream.drain(Duration.ofMillis(500)))).isEmpty();
    }
  }

  @Test
  void a_websocket_resumes_from_since_and_a_position_the_node_no_longer_holds_asks_for_a_reload() {
    String ada = api.session("demo", "Ada");
    for (int i = 0; i < 70; i++) {
      api.post("demo", "long", ada, "comment " + i, null);
    }
    Reply page = api.thread("demo", "long", "limit=1", null);
    long position = Long.parseLong(page.header("X-Thread-Position"));
    assertThat(position).isEqualTo(69);
    try (Socket recent = socket("/live/v1/tenants/demo/threads/long?since=66", null)) {
      List<JsonNode> got = recent.waitFor(g -> types(g).contains("subscribed"), WAIT);
      assertThat(posted(got))
          .extracting(m -> m.get("position").asLong())
          .containsExactly(67L, 68L, 69L);
      assertThat(got.getLast().get("payload").get("resumed").asBoolean()).isTrue();
    }
    try (Socket old = socket("/live/v1/tenants/demo/threads/long?since=0", null)) {
      assertThat(old.next("subscribed", WAIT).get("payload").get("resumed").asBoolean()).isFalse();
      JsonNode resync = old.next("resync", WAIT);
      assertThat(resync.get("position").asLong()).isEqualTo(69);
      api.post("demo", "long", ada, "after the reload", null);
      assertThat(old.next("comment-posted", WAIT).get("position").asLong()).isEqualTo(70);
    }
  }

  @Test
  void one_websocket_follows_several_threads_and_presence_counts_readers() {
    String ada = api.session("demo", "Ada");
    try (Socket one = socket("/live/v1/tenants/demo/threads/here", null);
        Socket two = socket("/live/v1/tenants/demo/threads/here", null)) {
      one.next("subscribed", WAIT);
      two.next("subscribed", WAIT);
      await()
          .atMost(WAIT)
          .until(() -> one.next("presence", WAIT).get("payload").get("viewers").asInt() == 2);
      // Presence tells where the thread stands: nothing yet here.
      assertThat(two.next("presence", WAIT).get("position").asLong()).isEqualTo(-1);
      one.send("{\"type\":\"subscribe\",\"thread\":\"there\"}");
      JsonNode there = one.next("subscribed", WAIT);
      assertThat(there.get("thread").asText()).isEqualTo("there");
      api.post("demo", "there", ada, "over there", null);
      JsonNode posted = one.next("comment-posted", WAIT);
      assertThat(posted.get("thread").asText()).isEqualTo("there");
      one.send("{\"type\":\"unsubscribe\",\"thread\":\"there\"}");
      api.post("demo", "there", ada, "not for one", null);
      api.post("demo", "here", ada, "for both", null);
      JsonNode next = one.next("comment-posted", WAIT);
      assertThat(next.get("thread").asText()).isEqualTo("here");
      two.close();
      await()
          .atMost(WAIT)
          .until(() -> one.next("presence", WAIT).get("payload").get("viewers").asInt() == 1);
    }
  }

  @Test
  void bad_requests_are_refused_with_their_close_codes_or_statuses() {
    assertThat(socket("/live/v1/tenants/nobody/threads/t", null).awaitClose(WAIT).code())
        .isEqualTo(4404);
    Socket.Closed badSince =
        socket("/live/v1/tenants/demo/threads/t?since=soon", null).awaitClose(WAIT);
    assertThat(badSince.code()).isEqualTo(4400);
    assertThat(badSince.reason()).startsWith("invalid_since");
    assertThat(socket("/live/v1/tenants/demo/threads/t?since=-2", null).awaitClose(WAIT).code())
        .isEqualTo(4400);
    Socket.Closed badSession =
        Socket.open(
                api.http(),
                URI.create(ws + "/live/v1/tenants/demo/threads/t"),
                "comments.v1",
                "bearer.not-a-token")
            .awaitClose(WAIT);
    assertThat(badSession.code()).isEqualTo(4401);

    LiveClient.Stream unknownTenant = stream("/stream/v1/tenants/nobody/threads/t", null, null);
    assertThat(unknownTenant.status).isEqualTo(404);
    assertThat(unknownTenant.error.path("error").path("code").asText())
        .isEqualTo("tenant_not_found");
    LiveClient.Stream badLastId = stream("/stream/v1/tenants/demo/threads/t", "x", null);
    assertThat(badLastId.status).isEqualTo(400);
    assertThat(badLastId.error.path("error").path("code").asText()).isEqualTo("invalid_since");
    Reply plainGet = api.send("GET", "/live/v1/tenants/demo/threads/t", null, null);
    assertThat(plainGet.status()).isEqualTo(426);
  }

  @Test
  void malformed_or_oversized_frames_close_the_socket_with_a_reason() {
    try (Socket reader = socket("/live/v1/tenants/demo/threads/frames", null)) {
      reader.next("subscribed", WAIT);
      reader.send("{\"type\":\"subscribe\",\"thread\":\"other\",\"since\":\"later\"}");
      JsonNode error = reader.next("error", WAIT);
      assertThat(error.get("payload").get("code").asText()).isEqualTo("invalid_since");
      reader.send("not json");
      Socket.Closed closed = reader.awaitClose(WAIT);
      assertThat(closed.code()).isEqualTo(1007);
      assertThat(closed.reason()).startsWith("malformed message");
    }
    try (Socket reader = socket("/live/v1/tenants/demo/threads/frames", null)) {
      reader.next("subscribed", WAIT);
      reader.send("{\"type\":\"subscribe\",\"thread\":\"" + "x".repeat(5000) + "\"}");
      assertThat(reader.awaitClose(WAIT).code()).isEqualTo(1009);
    }
    try (Socket reader = socket("/live/v1/tenants/demo/threads/frames", null)) {
      reader.next("subscribed", WAIT);
      reader.send("{\"type\":\"shout\",\"thread\":\"frames\"}");
      assertThat(reader.awaitClose(WAIT).code()).isEqualTo(1007);
    }
    try (Socket reader = socket("/live/v1/tenants/demo/threads/frames", null)) {
      reader.next("subscribed", WAIT);
      reader.sendBinary(new byte[] {1, 2, 3});
      assertThat(reader.awaitClose(WAIT).code()).isEqualTo(1003);
    }
  }

  @Test
  void too_many_subscriptions_or_connections_are_refused_with_4429() {
    try (Socket reader = socket("/live/v1/tenants/demo/threads/t0", null)) {
      reader.next("subscribed", WAIT);
      for (int i = 1; i < SUBSCRIPTIONS_PER_CONNECTION; i++) {
        reader.send("{\"type\":\"subscribe\",\"thread\":\"t" + i + "\"}");
        reader.next("subscribed", WAIT);
      }
      reader.send("{\"type\":\"subscribe\",\"thread\":\"one-too-many\"}");
      assertThat(reader.awaitClose(WAIT).code()).isEqualTo(4429);
    }
    await().atMost(WAIT).until(() -> metric("comments_live_connections") == 0);
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < CONNECTIONS_PER_ADDRESS; i++) {
        Socket reader = socket("/live/v1/tenants/demo/threads/crowd", null);
        reader.next("subscribed", WAIT);
        open.add(reader);
      }
      assertThat(socket("/live/v1/tenants/demo/threads/crowd", null).awaitClose(WAIT).code())
          .isEqualTo(4429);
      LiveClient.Stream refused = stream("/stream/v1/tenants/demo/threads/crowd", null, null);
      assertThat(refused.status).isEqualTo(429);
      assertThat(refused.error.path("error").path("code").asText())
          .isEqualTo("too_many_connections");
    } finally {
      open.forEach(Socket::close);
    }
  }

  /**
   * A reader that never reads: its updates stop at the queue bound, and it is closed once it stays
   * behind, so the node holds a bounded number of its messages whatever it does.
   */
  @Test
  void a_reader_that_never_reads_is_cut_off_and_holds_bounded_memory() throws Exception {
    String ada = api.session("demo", "Ada");
    URI base = URI.create(node.baseUrl());
    double behindBefore = metric("comments_live_behind_total");
    try (java.net.Socket raw = new java.net.Socket()) {
      // Before connecting, so that the window it advertises stays small.
      raw.setReceiveBufferSize(4096);
      raw.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()));
      OutputStream out = raw.getOutputStream();
      String key =
          Base64.getEncoder()
              .encodeToString("sixteen byte key".getBytes(StandardCharsets.US_ASCII));
      out.write(
          ("GET /live/v1/tenants/demo/threads/flood HTTP/1.1\r\nHost: localhost\r\n"
                  + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                  + "Sec-WebSocket-Key: "
                  + key
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // Never read: the server's writes fill the socket buffers and then its queue.
      // The node's socket buffer takes up to 4 MiB on loopback before its queue fills.
      String text = "x".repeat(9000);
      // Until the node cuts it off: a reader that drains into the kernel's buffers between posts is
      // behind, then caught up (with a resync), then behind again; it stays behind only once they
      // are
      // full, and is cut off when it has stayed behind for the behind timeout.
      double closedBefore = metric("comments_live_closed_behind_total");
      for (int i = 0;
          i < 3000 && metric("comments_live_closed_behind_total") == closedBefore;
          i += 20) {
        for (int j = 0; j < 20; j++) {
          api.post("demo", "flood", ada, text + (i + j), null);
        }
      }
      assertThat(metric("comments_live_behind_total")).isGreaterThan(behindBefore);
      await().atMost(WAIT).until(() -> metric("comments_live_closed_behind_total") > closedBefore);
      await().atMost(WAIT).until(() -> metric("comments_live_connections") == 0);
      InputStream in = raw.getInputStream();
      raw.setSoTimeout(10_000);
      byte[] buffer = new byte[1 << 16];
      long read = 0;
      int n;
      try {
        while ((n = in.read(buffer)) > 0) {
          read += n;
        }
      } catch (java.net.SocketException reset) {
        // A connection cut with unread data may end in a reset rather than an end of stream.
      }
      assertThat(read).isPositive();
    }
  }

  private static Socket socket(String path, String session) {
    if (session == null) {
      return Socket.open(api.http(), URI.create(ws + path));
    }
    return Socket.open(api.http(), URI.create(ws + path), "comments.v1", "bearer." + session);
  }

  private static LiveClient.Stream stream(String path, String lastEventId, String session) {
    return LiveClient.Stream.open(
        api.http(), URI.create(node.baseUrl() + path), lastEventId, session);
  }

  /** What the node lists as blocked by the session {@code token}, as it learns it from the log. */
  private static JsonNode blockedBy(String token) {
    return api.send("GET", "/api/v1/tenants/demo/blocks", token, null).json().get("userIds");
  }

  private static String myVote(JsonNode message) {
    return message.get("payload").get("myVote").asText();
  }

  private static List<JsonNode> posted(List<JsonNode> messages) {
    return messages.stream().filter(m -> m.get("type").asText().equals("comment-posted")).toList();
  }

  private static List<String> types(List<JsonNode> messages) {
    return messages.stream().map(m -> m.get("type").asText()).toList();
  }

  private static double metric(String name) {
    String text =
        new String(api.send("GET", "/metrics", null, null).raw().body(), StandardCharsets.UTF_8);
    Matcher value = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
    return value.find() ? Double.parseDouble(value.group(2)) : 0;
  }
}
