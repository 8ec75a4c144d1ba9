package dev.comments.infra.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import dev.comments.infra.ApiClient;
import dev.comments.infra.ApiClient.Reply;
import dev.comments.infra.LiveClient.Socket;
import dev.comments.infra.dev.DevSecrets;
import dev.comments.query.QuerySideSettings;
import dev.comments.query.thread.ThreadViewStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code comments cluster} as a user runs it: a supervisor process, a Kafka broker and one process
 * per node (a primary in us-west, a replica in eu-central) on 127.0.1.1 and 127.0.1.2, each with
 * its own MongoDB-wire server, and delaying proxies between the regions. The tests kill processes
 * with SIGKILL and start them again with {@code cluster start}, so they run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = "demo";

  /** Short, so that a thousand round trips through a replica stay quick; still a real proxy. */
  private static final String WAN = "5ms";

  private static TestCluster cluster;
  private static Path dataDir;
  private static JsonNode primaryNode;
  private static JsonNode replicaNode;
  private static ApiClient primary;
  private static ApiClient replica;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start("us-west,eu-central", WAN);
    dataDir = cluster.dataDir;
    assertThat(cluster.nodes()).hasSize(2);
    primaryNode = cluster.nodes().get(0);
    replicaNode = cluster.nodes().get(1);
    assertThat(primaryNode.path("role").asText()).isEqualTo("primary");
    assertThat(primaryNode.path("address").asText()).isEqualTo("127.0.1.1");
    assertThat(primaryNode.path("http").asText()).startsWith("http://127.0.1.1:");
    assertThat(replicaNode.path("role").asText()).isEqualTo("replica");
    assertThat(replicaNode.path("region").asText()).isEqualTo("eu-central");
    assertThat(replicaNode.path("pid").asLong()).isNotEqualTo(primaryNode.path("pid").asLong());
    assertThat(replicaNode.path("latitude").asDouble()).isBetween(50.0, 51.0);
    primary = new ApiClient(primaryNode.path("http").asText());
    replica = new ApiClient(replicaNode.path("http").asText());
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      // The supervisor takes every node with it: none of the pids of cluster.json runs any more.
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void a_thousand_writes_through_the_replica_are_each_read_back_there_with_their_token()
      throws Exception {
    int writers = 4;
    int cycles = 250;
    AtomicInteger stale = new AtomicInteger();
    AtomicInteger forwarded = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String thread = "ryw-" + w;
      done.add(
          pool.submit(
              () -> {
                String session = replica.session(TENANT, "Writer");
                for (int i = 0; i < cycles; i++) {
                  Reply posted = replica.post(TENANT, thread, session, "cycle " + i, null);
                  assertThat(posted.status()).as("%s", posted.json()).isEqualTo(201);
                  String id = posted.json().get("commentId").asText();
                  Reply page =
                      replica.thread(
                          TENANT,
                          thread,
                          "readPreference=nearest&limit=1",
                          posted.header("X-Consistency-Token"));
                  assertThat(page.status()).isEqualTo(200);
                  assertThat(page.header("X-Served-By")).isEqualTo(replicaNode.path("id").asText());
                  if (page.header("X-Forwarded-To") != null) {
                    forwarded.incrementAndGet();
                  }
                  if (!page.json().path("comments").path(0).path("id").asText().equals(id)) {
                    stale.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (Future<?> future : done) {
      future.get(10, TimeUnit.MINUTES);
    }
    pool.shutdown();
    System.out.printf(
        "read-your-writes: %d cycles, %d stale, %d reads forwarded to the primary%n",
        writers * cycles, stale.get(), forwarded.get());
    assertThat(stale).hasValue(0);
  }

  @Test
  @Order(2)
  void nearest_reads_on_the_replica_converge_and_say_how_stale_they_may_be() throws Exception {
    String session = primary.session(TENANT, "Ada");
    Reply posted = primary.post(TENANT, "converge", session, "from the primary", null);
    assertThat(posted.status()).isEqualTo(201);
    String id = posted.json().get("commentId").asText();
    await("replica sees the write")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                containsComment(
                    replica.thread(TENANT, "converge", "readPreference=nearest", null), id));

    // Freeze the event log: the replica must keep answering, and say that it may be stale.
    long broker = brokerPid();
    signal("STOP", broker);
    try {
      Reply frozenWrite =
          primary.post(TENANT, "converge", session, "while the log is frozen", null);
      assertThat(frozenWrite.status()).isEqualTo(201);
      String frozenId = frozenWrite.json().get("commentId").asText();
      // The replica calls itself stale once it has not reached the log for 3 s: wait for that.
      Reply read =
          await("replica says it is stale")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () -> replica.thread(TENANT, "converge", "readPreference=nearest", null),
                  r -> r.status() != 200 || "true".equals(r.header("X-Replica-Stale")));
      assertThat(read.status()).isEqualTo(200);
      assertThat(containsComment(read, frozenId)).isFalse();
      assertThat(Long.parseLong(read.header("X-Replica-Lag-Ms"))).isGreaterThanOrEqualTo(3_000);
      signal("CONT", broker);
      await("replica catches up after the log is back")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                Reply now = replica.thread(TENANT, "converge", "readPreference=nearest", null);
                return containsComment(now, frozenId)
                    && now.header("X-Replica-Stale") == null
                    && Long.parseLong(now.header("X-Replica-Lag-Ms")) < 2_000;
              });
    } finally {
      signal("CONT", broker);
    }
  }

  @Test
  @Order(3)
  void a_retried_command_through_the_replica_posts_once() {
    String session = replica.session(TENANT, "Retrier");
    String body = "{\"text\":\"exactly once\",\"parentId\":null}";
    List<Reply> replies = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      replies.add(postWithKey(replica, "retry", session, "retry-key-1", body));
    }
    assertThat(replies).allSatisfy(r -> assertThat(r.status()).isEqualTo(201));
    assertThat(replies.get(1).header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replies.get(2).json()).isEqualTo(replies.get(0).json());
    Reply reused = postWithKey(replica, "retry", session, "retry-key-1", "{\"text\":\"other\"}");
    assertThat(reused.status()).isEqualTo(422);
    assertThat(reused.errorCode()).isEqualTo("idempotency_key_reused");
    Reply page =
        primary.thread(TENANT, "retry", null, replies.get(0).header("X-Consistency-Token"));
    assertThat(page.json().path("comments")).hasSize(1);
  }

  @Test
  @Order(5)
  void with_the_primary_killed_writes_fail_fast_and_reads_go_on_until_it_is_back()
      throws Exception {
    String session = replica.session(TENANT, "Survivor");
    Reply before = replica.post(TENANT, "outage", session, "before", null);
    assertThat(before.status()).isEqualTo(201);
    // Replicated before the primary goes: the read below must find it on the replica alone.
    assertThat(
            replica
                .thread(
                    TENANT,
                    "outage",
                    "readPreference=nearest",
                    before.header("X-Consistency-Token"))
                .header("X-Consistency"))
        .isEqualTo("reached");
    long pid = currentPid(primaryNode.path("id").asText());
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).isEmpty());

    try {
      theReplicaAnswersWithoutThePrimary(session);
    } finally {
      System.out.println(new ClusterControl(dataDir).start(primaryNode.path("id").asText()));
    }
    Reply after = replica.post(TENANT, "outage", session, "after", null);
    assertThat(after.status()).isEqualTo(201);
    assertThat(
            replica
                .thread(
                    TENANT, "outage", "readPreference=nearest", after.header("X-Consistency-Token"))
                .json()
                .path("comments"))
        .hasSize(2);
  }

  private static void theReplicaAnswersWithoutThePrimary(String session) {
    long started = System.nanoTime();
    Reply refused = replica.post(TENANT, "outage", session, "during", null);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.errorCode()).isEqualTo("primary_unavailable");
    assertThat(refused.header("Retry-After")).isEqualTo("1");
    System.out.printf(
        "a write through the replica with the primary down: %d ms%n", took.toMillis());
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    Reply read = replica.thread(TENANT, "outage", "readPreference=nearest", null);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json().path("comments")).hasSize(1);
    assertThat(read.header("X-Replica-Lag-Ms")).isNotNull();
    // A primary read cannot be proven fresh without the primary: refused, not guessed.
    assertThat(replica.thread(TENANT, "outage", null, null).errorCode())
        .isEqualTo("primary_unavailable");
  }

  @Test
  @Order(6)
  void a_replica_killed_during_two_thousand_mixed_writes_ends_with_the_primarys_projection()
      throws Exception {
    String replicaId = replicaNode.path("id").asText();
    String moderator =
        DevSecrets.load(dataDir.resolve("secrets.properties")).getProperty("admin-key");
    int total = 2_000;
    AtomicInteger written = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      String thread = "crash-" + w;
      done.add(
          pool.submit(
              () -> {
                mixedWrites(thread, total / 4, moderator, written);
                return null;
              }));
    }
    await().atMost(Duration.ofMinutes(2)).until(() -> failFast(done) && written.get() >= total / 4);
    long pid = currentPid(replicaId);
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).isEmpty());
    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> failFast(done) && written.get() >= total * 3 / 4);
    System.out.println(new ClusterControl(dataDir).start(replicaId));
    for (Future<?> future : done) {
      future.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();

    String primaryId = primaryNode.path("id").asText();
    String primaryMongo = node(primaryId).path("mongo").asText();
    String replicaMongo = node(replicaId).path("mongo").asText();
    await("the replica's projection equals the primary's")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> checksum(primaryMongo, primaryId).equals(checksum(replicaMongo, replicaId)));
    assertThat(checksum(replicaMongo, replicaId)).isNotEqualTo(checksumOfNothing());
  }

  @Test
  @Order(7)
  void cluster_stop_stops_one_node_and_the_others_keep_serving() throws Exception {
    String replicaId = replicaNode.path("id").asText();
    ClusterControl control = new ClusterControl(dataDir);

    System.out.println(control.stop(replicaId));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> node(replicaId).path("state").asText().equals("stopped"));
    assertThat(primary.thread(TENANT, "outage", "readPreference=nearest", null).status())
        .isEqualTo(200);

    System.out.println(control.start(replicaId));
    assertThat(node(replicaId).path("state").asText()).isEqualTo("running");
    assertThat(replica.thread(TENANT, "outage", "readPreference=nearest", null).status())
        .isEqualTo(200);
  }

  /** Before the kills below, so that it runs on a cluster whose nodes are all up. */
  @Test
  @Order(4)
  void a_reader_on_each_node_sees_both_readers_of_the_thread_and_one_once_the_other_leaves() {
    Duration wait = Duration.ofSeconds(30);
    try (Socket onPrimary = socket(primary, "presence");
        Socket onReplica = socket(replica, "presence")) {
      onPrimary.next("subscribed", wait);
      onReplica.next("subscribed", wait);
      // The peer's count crosses with the next heartbeat's share, then the next presence round.
      await().atMost(wait).until(() -> viewers(onPrimary, wait) == 2);
      await().atMost(wait).until(() -> viewers(onReplica, wait) == 2);

      onReplica.close();
      JsonNode alone = onPrimary.next("presence", wait);
      assertThat(alone.path("payload").path("viewers").asInt()).isEqualTo(1);
      assertThat(alone.path("payload").path("local").asInt()).isEqualTo(1);
    }
  }

  private static Socket socket(ApiClient node, String thread) {
    return Socket.open(
        node.http(),
        URI.create(
            node.baseUrl().replace("http://", "ws://")
                + "/live/v1/tenants/"
                + TENANT
                + "/threads/"
                + thread));
  }

  private static int viewers(Socket reader, Duration wait) {
    return reader.next("presence", wait).path("payload").path("viewers").asInt();
  }

  /** Before the kills below, so that it runs on a cluster whose nodes are all up. */
  @Test
  @Order(4)
  void a_session_signed_out_through_the_replica_is_refused_on_every_node_within_seconds()
      throws Exception {
    String session = primary.session(TENANT, "Leaver");
    String path = "/api/v1/tenants/" + TENANT + "/threads/leave/comments?readPreference=nearest";
    assertThat(replica.post(TENANT, "leave", session, "before", null).status()).isEqualTo(201);

    Reply signedOut = replica.signOut(TENANT, session);

    assertThat(signedOut.status()).isEqualTo(204);
    assertThat(signedOut.header("X-Forwarded-To")).isEqualTo(primaryNode.path("id").asText());
    for (ApiClient node : List.of(primary, replica)) {
      await("the revocation reaches " + node.baseUrl())
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> "session_revoked".equals(node.send("GET", path, session, null).errorCode()));
    }
    assertThat(replica.post(TENANT, "leave", session, "after", null).errorCode())
        .isEqualTo("session_revoked");
    assertThat(
            replica.post(TENANT, "leave", replica.session(TENANT, "Stayer"), "hi", null).status())
        .isEqualTo(201);

    // A node started afterwards reads every revocation before it serves.
    String replicaId = replicaNode.path("id").asText();
    ClusterControl control = new ClusterControl(dataDir);
    System.out.println(control.stop(replicaId));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> node(replicaId).path("state").asText().equals("stopped"));
    System.out.println(control.start(replicaId));
    assertThat(replica.send("GET", path, session, null).errorCode()).isEqualTo("session_revoked");
  }

  /**
   * Every kind of write the projection applies, in a fixed cycle of ten: a root, replies to it,
   * votes on it (up, down, withdrawn), an edit and a delete of a reply, and every fiftieth step a
   * lock and an unlock of the thread. Each request counts as one write.
   */
  private static void mixedWrites(
      String thread, int writes, String moderator, AtomicInteger written) {
    String author = primary.session(TENANT, "Writer");
    String voter = primary.session(TENANT, "Voter");
    String comments = "/api/v1/tenants/" + TENANT + "/comments/";
    String threadPath = "/api/v1/tenants/" + TENANT + "/threads/" + thread;
    String root = null;
    String reply = null;
    for (int i = 0; i < writes; i++) {
      Reply answer =
          switch (i % 10) {
            case 0, 1, 2, 4, 6, 8 -> {
              Reply posted =
                  primary.post(TENANT, thread, author, "write " + i, i % 10 == 0 ? null : root);
              if (posted.status() == 201) {
                if (i % 10 == 0) {
                  root = posted.json().get("commentId").asText();
                } else {
                  reply = posted.json().get("commentId").asText();
                }
              }
              yield posted;
            }
            case 3, 7 -> {
              String direction = List.of("up", "down", "none").get(i / 5 % 3);
              yield primary.send(
                  "POST",
                  comments + root + "/vote",
                  voter,
                  "{\"direction\":\"" + direction + "\"}");
            }
            case 5 ->
                primary.send("PATCH", comments + reply, author, "{\"text\":\"edited " + i + "\"}");
            default -> {
              if (i % 50 == 9) {
                Reply locked = primary.send("POST", threadPath + "/lock", moderator, null);
                assertThat(locked.status()).as("lock %s", locked.json()).isEqualTo(200);
                written.incrementAndGet();
                yield primary.send("POST", threadPath + "/unlock", moderator, null);
              }
              yield primary.send("DELETE", comments + reply, author, null);
            }
          };
      assertThat(answer.status()).as("write %d: %s", i, answer.json()).isBetween(200, 201);
      written.incrementAndGet();
    }
  }

  private static Reply postWithKey(
      ApiClient api, String thread, String session, String key, String body) {
    return api.exchange(
        HttpRequest.newBuilder(
                URI.create(
                    api.baseUrl()
                        + "/api/v1/tenants/"
                        + TENANT
                        + "/threads/"
                        + thread
                        + "/comments"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + session)
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /** True while no writer has failed; a failed writer's error ends the wait at once. */
  private static boolean failFast(List<Future<?>> writers) throws Exception {
    for (Future<?> writer : writers) {
      if (writer.isDone()) {
        writer.get();
      }
    }
    return true;
  }

  private static boolean containsComment(Reply page, String id) {
    for (JsonNode comment : page.json().path("comments")) {
      if (comment.path("id").asText().equals(id)) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode node(String id) throws IOException {
    return cluster.node(id);
  }

  private static long currentPid(String id) throws IOException {
    return node(id).path("pid").asLong();
  }

  private static long brokerPid() throws IOException {
    return cluster.json().path("kafkaPid").asLong();
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
    assertThat(kill.waitFor()).isZero();
  }

  /**
   * SHA-256 over every projection document (threads, comment buckets, votes, flags) of the node's
   * own database, in _id order.
   */
  private static String checksum(String mongoUri, String nodeId) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (MongoClient mongo = MongoClients.create(mongoUri)) {
      MongoDatabase query = mongo.getDatabase(QuerySideSettings.databaseFor(nodeId));
      for (String collection : PROJECTION_COLLECTIONS) {
        digest.update(collection.getBytes(StandardCharsets.UTF_8));
        for (Document document :
            query.getCollection(collection).find().sort(new Document("_id", 1))) {
          digest.update(document.toJson().getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static final List<String> PROJECTION_COLLECTIONS =
      List.of(
          ThreadViewStore.THREADS,
          ThreadViewStore.BUCKETS,
          ThreadViewStore.VIEWER_VOTES,
          ThreadViewStore.FLAGS);

  private static String checksumOfNothing() throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    for (String collection : PROJECTION_COLLECTIONS) {
      digest.update(collection.getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
