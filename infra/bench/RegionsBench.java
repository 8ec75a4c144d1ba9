import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Two regions of a running local cluster ({@code comments cluster --wan ...}) measured in one go:
 * write latency through the replica and through the primary, the replica's reads by read preference
 * (a primary read forwarded while the broker is frozen), and replication lag at fixed write rates,
 * split into the primary's and the log's parts by a bare consumer of the event log, beside a bare
 * Kafka round trip over the same delayed path. Prints Markdown tables on stdout, progress on
 * stderr, and draws the lag over time into a PNG. The broker is frozen last, as it disturbs every
 * Kafka client; {@code kill -CONT} follows in a finally block (and in regions.sh's trap).
 *
 * <p>Usage: {@code java -cp <launcher classpath> RegionsBench.java CLUSTER_DIR PNG [RUNS]
 * [RATE_SECONDS] [RATES]}, RATES comma-separated (default 100,1000). Latencies are per request,
 * from just before the request is sent to the end of its answer; p50 and p99 are nearest-rank;
 * where a phase runs RUNS times, the table gives the median of the runs' p50s and p99s.
 */
public final class RegionsBench {
  private static final String API = "/api/v1/tenants/demo";
  private static final Pattern COMMENT_ID = Pattern.compile("\"commentId\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern SESSION = Pattern.compile("\"sessionToken\"\\s*:\\s*\"([^\"]+)\"");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String READ_THREAD = "reads";
  private static final String DELAY_BUCKET = "comments_projection_replication_delay_seconds_bucket";

  private final HttpClient http;
  private final ExecutorService httpExecutor = Executors.newFixedThreadPool(8);
  private final String primary;
  private final String replica;
  private final String primaryId;
  private final String replicaId;
  private final String replicaRegion;
  private final String primaryRegion;
  private final long oneWayMs;
  private final String kafkaDirect;
  private final String kafkaReplicaPath;
  private final long kafkaPid;
  private final int runs;
  private final int rateSeconds;
  private final List<String> sessions = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private String eventTopic;

  private RegionsBench(Path clusterDir, int runs, int rateSeconds) throws IOException {
    JsonNode cluster = JSON.readTree(clusterDir.resolve("cluster.json").toFile());
    JsonNode p = null;
    JsonNode r = null;
    for (JsonNode node : cluster.get("nodes")) {
      if (node.get("role").asText().equals("primary")) {
        p = node;
      } else if (r == null) {
        r = node;
      }
    }
    if (p == null || r == null) {
      throw new IllegalStateException("cluster.json needs a primary and a replica: " + cluster);
    }
    primary = p.get("http").asText();
    replica = r.get("http").asText();
    primaryId = p.get("id").asText();
    replicaId = r.get("id").asText();
    primaryRegion = p.get("region").asText();
    replicaRegion = r.get("region").asText();
    oneWayMs = r.get("oneWayLatencyMsToPrimary").asLong();
    kafkaDirect = cluster.get("kafka").asText();
    kafkaPid = cluster.get("kafkaPid").asLong();
    pids.add(kafkaPid);
    pids.add(cluster.get("supervisorPid").asLong());
    pids.add(ProcessHandle.current().pid());
    for (JsonNode node : cluster.get("nodes")) {
      if (node.hasNonNull("pid")) {
        pids.add(node.get("pid").asLong());
      }
    }
    Properties props = new Properties();
    try (InputStream in =
        Files.newInputStream(
            clusterDir.resolve("nodes").resolve(replicaId).resolve("node.properties"))) {
      props.load(in);
    }
    kafkaReplicaPath = props.getProperty("comments.kafka.bootstrap-servers");
    this.runs = runs;
    this.rateSeconds = rateSeconds;
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(httpExecutor)
            .build();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path png = Path.of(args[1]);
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int rateSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    List<Integer> rates = new ArrayList<>();
    for (String rate : (args.length > 4 ? args[4] : "100,1000").split(",")) {
      rates.add(Integer.parseInt(rate.trim()));
    }
    RegionsBench bench = new RegionsBench(dir, runs, rateSeconds);
    try {
      bench.run(rates, png);
    } finally {
      bench.thaw();
      bench.httpExecutor.shutdownNow();
    }
    System.exit(0);
  }

  private void run(List<Integer> rates, Path png) throws Exception {
    progress(
        "primary %s (%s), replica %s (%s), %d ms one way; kafka %s direct, %s via the replica's"
            + " path",
        primaryId, primary, replicaId, replica, oneWayMs, kafkaDirect, kafkaReplicaPath);
    if (!metrics(replica).contains(DELAY_BUCKET)) {
      throw new IllegalStateException(
          "the replica does not expose "
              + DELAY_BUCKET
              + ": its query-side predates comments.projection.replication.delay (a stale jar on"
              + " infra/launcher/target/node.classpath?); build the whole reactor and run again");
    }
    Matcher topic =
        Pattern.compile(DELAY_BUCKET + "\\{[^}]*topic=\"([^\"]+)\"").matcher(metrics(replica));
    eventTopic = topic.find() ? topic.group(1) : "comments.events";
    for (int i = 0; i < 32; i++) {
      sessions.add(session(i));
    }
    warmUp();
    Cpu before = cpu();
    String writes = writePhase();
    BiFunction<Runs, int[], String> readTable = readPhase();
    cpuNote("the write and read phases", before, cpu());
    // The rates take turns, run by run, so that drift (a growing store) favours none of them.
    Map<Integer, List<RatePhase>> byRate = new java.util.LinkedHashMap<>();
    for (int run = 1; run <= runs; run++) {
      for (int rate : rates) {
        progress("rate run %d of %d", run, runs);
        byRate.computeIfAbsent(rate, k -> new ArrayList<>()).add(ratePhase(rate));
      }
    }
    List<Rate> rateResults = new ArrayList<>();
    for (int rate : rates) {
      rateResults.add(new Rate(rate, byRate.get(rate), kafkaPhase(rate)));
    }
    // The median run of each rate, and a run far worse than its median too: that is what to see.
    List<RatePhase> phases = new ArrayList<>();
    for (Rate rate : rateResults) {
      RatePhase median = rate.representative();
      median.label = runs > 1 ? "the median of " + runs + " runs" : "one run";
      phases.add(median);
    }
    for (Rate rate : rateResults) {
      RatePhase median = rate.representative();
      RatePhase worst =
          rate.runs().stream()
              .max(java.util.Comparator.comparingDouble(p -> p.delayP50))
              .orElseThrow();
      if (worst != median && worst.delayP50 >= 2 * median.delayP50) {
        worst.label = "the worst of " + runs + " runs";
        phases.add(worst);
      }
    }
    // Last: freezing the broker disturbs every Kafka client, so nothing measured after it.
    Runs forwarded = new Runs();
    int[] forwardCheck = forwardedReads(READ_THREAD, 40, forwarded);
    String reads = readTable.apply(forwarded, forwardCheck);
    plot(phases, png);
    System.out.println(writes);
    System.out.println();
    System.out.println(reads);
    System.out.println();
    System.out.println(lagTable(rateResults));
    if (!notes.isEmpty()) {
      System.out.println();
      for (String note : notes) {
        System.out.println("- " + note);
      }
    }
  }

  // ---------------------------------------------------------------- HTTP

  record Answer(int status, String body, HttpResponse<String> response, double ms) {
    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    String commentId() {
      Matcher m = COMMENT_ID.matcher(body);
      if (status != 201 || !m.find()) {
        throw new IllegalStateException("write failed: " + status + " " + body);
      }
      return m.group(1);
    }
  }

  private Answer send(HttpRequest request) throws IOException, InterruptedException {
    long start = System.nanoTime();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    double ms = (System.nanoTime() - start) / 1e6;
    return new Answer(response.statusCode(), response.body(), response, ms);
  }

  private String session(int i) throws Exception {
    Answer a =
        send(
            HttpRequest.newBuilder(URI.create(primary + API + "/sessions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"displayName\":\"bench " + i + "\"}"))
                .build());
    Matcher m = SESSION.matcher(a.body);
    if (a.status != 201 || !m.find()) {
      throw new IllegalStateException("session: " + a.status + " " + a.body);
    }
    return m.group(1);
  }

  private HttpRequest writeRequest(String base, String thread, String session, String text) {
    return HttpRequest.newBuilder(URI.create(base + API + "/threads/" + thread + "/comments"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + session)
        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + text + "\"}"))
        .build();
  }

  private Answer write(String base, String thread, String session, String text) throws Exception {
    Answer a = send(writeRequest(base, thread, session, text));
    if (a.status != 201) {
      throw new IllegalStateException("write to " + base + ": " + a.status + " " + a.body);
    }
    return a;
  }

  private Answer read(String base, String thread, String preference, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(
                    base
                        + API
                        + "/threads/"
                        + thread
                        + "/comments?sort=newest&limit=20&readPreference="
                        + preference))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("X-Consistency-Token", token);
    }
    Answer a = send(b.build());
    if (a.status != 200) {
      throw new IllegalStateException("read from " + base + ": " + a.status + " " + a.body);
    }
    return a;
  }

  private Answer ready(String base) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(base + "/health/ready"))
            .timeout(Duration.ofSeconds(5))
            .build());
  }

  private String metrics(String base) throws Exception {
    Answer a =
        send(
            HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .timeout(Duration.ofSeconds(30))
                .build());
    if (a.status != 200) {
      throw new IllegalStateException("metrics of " + base + ": " + a.status);
    }
    return a.body;
  }

  // ---------------------------------------------------------------- statistics

  /** Nearest-rank percentile of an unsorted list. */
  static double pct(List<Double> values, double q) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  static double median(List<Double> values) {
    return pct(values, 0.5);
  }

  /** p50 and p99 of each run, and their medians over the runs. */
  static final class Runs {
    final List<Double> p50 = new ArrayList<>();
    final List<Double> p99 = new ArrayList<>();
    int samples;

    void add(List<Double> latencies) {
      p50.add(pct(latencies, 0.50));
      p99.add(pct(latencies, 0.99));
      samples = latencies.size();
    }

    String cell() {
      return String.format(Locale.ROOT, "%.1f / %.1f", median(p50), median(p99));
    }
  }

  // ---------------------------------------------------------------- phases

  /**
   * Every path once, then the write path many times over: 40 writes left the nodes' write paths
   * still interpreted, and the first phases measured the JIT (a node in service compiled them long
   * before). The replica applies every warm-up write, so its consumer and projection warm with it.
   */
  private void warmUp() throws Exception {
    progress("warming up both nodes");
    for (int i = 0; i < 40; i++) {
      String s = sessions.get(i % sessions.size());
      String thread = "warm-" + (i % 4);
      write(replica, thread, s, "warm " + i);
      // With its token, so that a fresh replica waits for the thread instead of answering 404.
      String token = write(primary, thread, s, "warm " + i).header("X-Consistency-Token");
      read(replica, thread, "nearest", token);
      read(replica, thread, "primary", null);
      read(primary, thread, "primary", null);
    }
    concurrently(
        16, 125, (client, i) -> write(primary, "warm-" + (i % 50), sessions.get(client), "w"));
    concurrently(
        8, 25, (client, i) -> write(replica, "warm-" + (i % 4), sessions.get(client), "w"));
    concurrently(
        8,
        250,
        (client, i) -> {
          // The four threads the replica was made to wait for above: it may still be applying
          // the others.
          read(replica, "warm-" + (i % 4), "nearest", null);
          return read(primary, "warm-" + (i % 50), "nearest", null);
        });
  }

  private interface Step {
    Answer run(int client, int i) throws Exception;
  }

  /** {@code clients} threads, each running {@code steps} steps in turn. */
  private static void concurrently(int clients, int steps, Step step) throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
    for (int c = 0; c < clients; c++) {
      int client = c;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < steps; i++) {
                        step.run(client, i);
                      }
                    } catch (Exception e) {
                      failures.add(e);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw failures.getFirst();
    }
  }

  private String writePhase() throws Exception {
    int sequential = 40;
    int clients = 4;
    int perClient = 25;
    Runs seqReplica = new Runs();
    Runs seqPrimary = new Runs();
    Runs conReplica = new Runs();
    Runs conPrimary = new Runs();
    AtomicInteger notForwarded = new AtomicInteger();
    for (int run = 1; run <= runs; run++) {
      progress("writes, run %d of %d", run, runs);
      // Alternate which path goes first, so that drift over the run favours neither.
      List<String> order = run % 2 == 1 ? List.of(replica, primary) : List.of(primary, replica);
      for (String base : order) {
        List<Double> lat = new ArrayList<>();
        for (int i = 0; i < sequential; i++) {
          Answer a = write(base, "w-seq-" + (i % 8), sessions.get(i % 8), "seq " + run + " " + i);
          if (base.equals(replica) && a.header("X-Forwarded-To") == null) {
            notForwarded.incrementAndGet();
          }
          lat.add(a.ms);
        }
        (base.equals(replica) ? seqReplica : seqPrimary).add(lat);
      }
      for (String base : order) {
        List<Double> lat = Collections.synchronizedList(new ArrayList<>());
        int r = run;
        concurrently(
            clients,
            perClient,
            (client, i) -> {
              Answer a =
                  write(
                      base,
                      "w-con-" + client + "-" + (i % 4),
                      sessions.get(8 + client),
                      "con " + r + " " + i);
              if (base.equals(replica) && a.header("X-Forwarded-To") == null) {
                notForwarded.incrementAndGet();
              }
              lat.add(a.ms);
              return a;
            });
        (base.equals(replica) ? conReplica : conPrimary).add(lat);
      }
    }
    if (notForwarded.get() > 0) {
      notes.add(notForwarded + " writes through the replica came back without X-Forwarded-To");
    }
    notes.add(
        String.format(
            Locale.ROOT,
            "a write through the replica cost %+.1f ms (sequential) and %+.1f ms (concurrent) more"
                + " than one to the primary at the median; the simulated round trip is 2 × %d ms",
            median(seqReplica.p50) - median(seqPrimary.p50),
            median(conReplica.p50) - median(conPrimary.p50),
            oneWayMs));
    StringBuilder t = new StringBuilder();
    t.append(
        String.format(
            Locale.ROOT,
            "| POST comment, ms (median of %d runs) | through the replica (%s) p50 / p99 |"
                + " through the primary (%s) p50 / p99 | replica − primary, p50 |%n",
            runs,
            replicaRegion,
            primaryRegion));
    t.append("| --- | --- | --- | --- |\n");
    t.append(
        writeRow(
            "sequential, one client, " + sequential + " writes per run", seqReplica, seqPrimary));
    t.append(
        writeRow(
            clients + " concurrent clients, " + perClient + " writes each per run",
            conReplica,
            conPrimary));
    return t.toString().strip();
  }

  private static String writeRow(String what, Runs replica, Runs primary) {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %s | %+.1f |%n",
        what,
        replica.cell(),
        primary.cell(),
        median(replica.p50) - median(primary.p50));
  }

  /** Reads while the log is reachable; the table is finished with the forwarded reads' figures. */
  private BiFunction<Runs, int[], String> readPhase() throws Exception {
    int n = 60;
    int ryw = 30;
    String thread = READ_THREAD;
    String last = null;
    for (int i = 0; i < 20; i++) {
      last =
          write(primary, thread, sessions.get(i % 4), "read bench " + i)
              .header("X-Consistency-Token");
    }
    read(replica, thread, "nearest", last);

    Runs nearest = new Runs();
    Runs primaryFresh = new Runs();
    Runs onPrimary = new Runs();
    Runs nearestToken = new Runs();
    Runs primaryToken = new Runs();
    AtomicInteger forwardedUnexpectedly = new AtomicInteger();
    int tokenTimedOut = 0;
    int tokenMissing = 0;
    for (int run = 1; run <= runs; run++) {
      progress("reads, run %d of %d", run, runs);
      List<Double> a = new ArrayList<>();
      List<Double> b = new ArrayList<>();
      List<Double> c = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Answer x = read(replica, thread, "nearest", null);
        Answer y = read(replica, thread, "primary", null);
        Answer z = read(primary, thread, "primary", null);
        if (x.header("X-Forwarded-To") != null || y.header("X-Forwarded-To") != null) {
          forwardedUnexpectedly.incrementAndGet();
        }
        a.add(x.ms);
        b.add(y.ms);
        c.add(z.ms);
      }
      nearest.add(a);
      primaryFresh.add(b);
      onPrimary.add(c);
      List<Double> d = new ArrayList<>();
      List<Double> e = new ArrayList<>();
      for (int i = 0; i < 2 * ryw; i++) {
        String preference = i % 2 == 0 ? "nearest" : "primary";
        String own = "ryw-" + run + "-" + (i % 6);
        String session = sessions.get(12 + i % 8);
        Answer w = write(replica, own, session, "own " + i);
        String id = w.commentId();
        Answer r = read(replica, own, preference, w.header("X-Consistency-Token"));
        if (r.header("X-Forwarded-To") != null) {
          forwardedUnexpectedly.incrementAndGet();
        }
        if (!"reached".equals(r.header("X-Consistency"))) {
          tokenTimedOut++;
        }
        if (!r.body.contains(id)) {
          tokenMissing++;
        }
        (preference.equals("nearest") ? d : e).add(r.ms);
      }
      nearestToken.add(d);
      primaryToken.add(e);
    }
    if (forwardedUnexpectedly.get() > 0) {
      notes.add(
          forwardedUnexpectedly
              + " replica reads were forwarded to the primary while the log was reachable");
    }
    if (tokenTimedOut > 0 || tokenMissing > 0) {
      notes.add(
          "reads with the reader's own token: "
              + tokenTimedOut
              + " not X-Consistency: reached, "
              + tokenMissing
              + " without the reader's comment");
    }

    return (forwarded, forwardCheck) -> {
      StringBuilder t = new StringBuilder();
      t.append(
          String.format(
              Locale.ROOT,
              "| GET a thread page (20 comments), ms, median of %d runs | p50 / p99 | samples per"
                  + " run | how it is served |%n",
              runs));
      t.append("| --- | --- | --- | --- |\n");
      t.append(readRow("replica, `nearest`", nearest, "replica's projection, no wait"));
      t.append(
          readRow(
              "replica, `nearest` + the reader's own token (just written via the replica)",
              nearestToken,
              "waits until the replica holds the token's event"));
      t.append(
          readRow(
              "replica, `primary`, log reachable",
              primaryFresh,
              "asks the primary where the thread stands (one round trip), then its own"
                  + " projection"));
      t.append(
          readRow(
              "replica, `primary` + the reader's own token (just written via the replica)",
              primaryToken,
              "the round trip, and the wait for the replica to hold both positions"));
      t.append(
          readRow(
              "replica, `primary`, broker frozen (`kill -STOP`), replica stale",
              forwarded,
              String.format(
                  Locale.ROOT,
                  "forwarded to the primary: %d of %d answers carried X-Forwarded-To: %s",
                  forwardCheck[0],
                  forwardCheck[1],
                  primaryId)));
      t.append(
          readRow("primary node itself, `primary` (reference)", onPrimary, "primary's projection"));
      return t.toString().strip();
    };
  }

  private static String readRow(String what, Runs runs, String how) {
    return String.format(
        Locale.ROOT, "| %s | %s | %d | %s |%n", what, runs.cell(), runs.samples, how);
  }

  /** Freezes the broker until the replica says it is stale, then reads {@code primary} via it. */
  private int[] forwardedReads(String thread, int perRun, Runs forwarded) throws Exception {
    progress("freezing the Kafka broker (pid %d) until the replica turns stale", kafkaPid);
    signal("STOP");
    int withHeader = 0;
    int total = 0;
    try {
      long frozen = System.nanoTime();
      while (!"true".equals(ready(replica).header("X-Replica-Stale"))) {
        if (System.nanoTime() - frozen > TimeUnit.SECONDS.toNanos(20)) {
          throw new IllegalStateException("the replica did not turn stale within 20 s");
        }
        Thread.sleep(100);
      }
      double staleAfter = (System.nanoTime() - frozen) / 1e9;
      progress("replica stale %.1f s after the freeze", staleAfter);
      notes.add(
          String.format(
              Locale.ROOT,
              "the replica reported X-Replica-Stale: true %.1f s after the broker was frozen",
              staleAfter));
      for (int run = 1; run <= runs; run++) {
        List<Double> lat = new ArrayList<>();
        for (int i = 0; i < perRun; i++) {
          Answer a = read(replica, thread, "primary", null);
          total++;
          if (primaryId.equals(a.header("X-Forwarded-To"))) {
            withHeader++;
          }
          lat.add(a.ms);
        }
        forwarded.add(lat);
      }
    } finally {
      thaw();
    }
    long thawed = System.nanoTime();
    // The next phases need the replica fed again: wait for it to be fresh and ready.
    while (true) {
      Answer a = ready(replica);
      if (a.status == 200 && a.header("X-Replica-Stale") == null) {
        break;
      }
      if (System.nanoTime() - thawed > TimeUnit.SECONDS.toNanos(120)) {
        throw new IllegalStateException("the replica did not recover within 120 s of the thaw");
      }
      Thread.sleep(100);
    }
    progress("replica fresh again %.1f s after the thaw", (System.nanoTime() - thawed) / 1e9);
    return new int[] {withHeader, total};
  }

  private volatile boolean frozen;

  private void signal(String name) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(kafkaPid)).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + kafkaPid + " failed");
    }
    frozen = name.equals("STOP");
  }

  private void thaw() {
    if (frozen) {
      try {
        signal("CONT");
      } catch (Exception e) {
        System.err.println("bench: could not thaw the broker: " + e);
      }
    }
  }

  // ---------------------------------------------------------------- CPU

  /** Jiffies: the machine's busy and total time, and the time of this bench's own processes. */
  record Cpu(long busy, long total, long ours) {}

  private final List<Long> pids = new ArrayList<>();

  /**
   * What the machine and the processes of this benchmark (nodes, broker, cluster supervisor with
   * its delaying proxies, this JVM) used; a gap between the two is someone else's load.
   */
  private Cpu cpu() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      long ours = 0;
      for (long pid : pids) {
        try {
          String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
          String[] p = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ours += Long.parseLong(p[11]) + Long.parseLong(p[12]);
        } catch (IOException gone) {
          // A process that exited adds nothing from here on.
        }
      }
      return new Cpu(total - idle, total, ours);
    } catch (IOException | RuntimeException e) {
      return new Cpu(0, 0, 0);
    }
  }

  /** "busy X% of the machine, Y% by this benchmark's processes" between two readings. */
  static String cpuShare(Cpu a, Cpu b) {
    long total = b.total - a.total;
    if (total <= 0) {
      return "n/a";
    }
    return String.format(
        Locale.ROOT,
        "%.0f%% / %.0f%%",
        100.0 * (b.busy - a.busy) / total,
        100.0 * (b.ours - a.ours) / total);
  }

  private void cpuNote(String what, Cpu a, Cpu b) {
    notes.add(
        "CPU during "
            + what
            + " (machine busy / of which this benchmark's processes, % of all cores): "
            + cpuShare(a, b));
  }

  // ---------------------------------------------------------------- replication lag

  static final class RatePhase {
    int target;
    double seconds;
    long sent;
    long accepted;
    long refused;
    long failed;
    long notSent;
    List<Double> writeLatency = new ArrayList<>();
    double delayP50;
    double delayP99;
    boolean p99Overflow;
    long delayCount;
    double catchUpSeconds;
    double lastAnswer; // seconds since the phase started
    final List<double[]> lagSamples = new ArrayList<>(); // seconds since start, X-Replica-Lag-Ms
    final List<double[]> perSecondP99 = new ArrayList<>(); // seconds, p99 ms, events
    long[] acceptedPerSecond;
    String cpu;
    Tap tap;
    String label = "";
  }

  record Kafka(int target, long sent, long received, double achieved, List<Double> latencies) {}

  /** Prometheus buckets of the replication delay: upper bound in seconds to cumulative count. */
  static TreeMap<Double, Double> buckets(String metrics) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    for (String line : metrics.split("\n")) {
      if (!line.startsWith(DELAY_BUCKET)) {
        continue;
      }
      int le = line.indexOf("le=\"");
      String bound = line.substring(le + 4, line.indexOf('"', le + 4));
      double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
      double count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      buckets.merge(upper, count, Double::sum);
    }
    return buckets;
  }

  static TreeMap<Double, Double> minus(
      TreeMap<Double, Double> after, TreeMap<Double, Double> before) {
    TreeMap<Double, Double> delta = new TreeMap<>();
    after.forEach((le, n) -> delta.put(le, n - before.getOrDefault(le, 0.0)));
    return delta;
  }

  /**
   * The q-quantile in ms, interpolated linearly inside its bucket as Prometheus's {@code
   * histogram_quantile} does; NaN without events; the last finite bound if it falls in +Inf.
   */
  static double quantileMs(TreeMap<Double, Double> cumulative, double q) {
    double total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
    if (total <= 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lower = 0;
    double below = 0;
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      if (e.getValue() >= rank) {
        if (e.getKey().isInfinite()) {
          return lower * 1000;
        }
        double inBucket = e.getValue() - below;
        double fraction = inBucket <= 0 ? 1 : (rank - below) / inBucket;
        return (lower + (e.getKey() - lower) * fraction) * 1000;
      }
      lower = e.getKey();
      below = e.getValue();
    }
    return lower * 1000;
  }

  private RatePhase ratePhase(int rate) throws Exception {
    progress("replication lag at %d writes/s for %d s", rate, rateSeconds);
    RatePhase phase = new RatePhase();
    phase.target = rate;
    drain();
    TreeMap<Double, Double> before = buckets(metrics(replica));
    Tap tap = Tap.open(kafkaReplicaPath, eventTopic);
    Cpu cpuBefore = cpu();
    long start = System.nanoTime();
    Thread tapping = Thread.ofPlatform().daemon().start(() -> tap.run(start));
    AtomicLong stopSampling = new AtomicLong(Long.MAX_VALUE);
    Thread lagSampler =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  long next = System.nanoTime();
                  while (System.nanoTime() < stopSampling.get()) {
                    try {
                      Answer a = ready(replica);
                      String lag = a.header("X-Replica-Lag-Ms");
                      if (lag != null) {
                        synchronized (phase.lagSamples) {
                          phase.lagSamples.add(
                              new double[] {
                                (System.nanoTime() - start) / 1e9, Double.parseDouble(lag)
                              });
                        }
                      }
                    } catch (Exception e) {
                      // A missed sample is a gap in the plot, not a failure of the phase.
                    }
                    next += TimeUnit.MILLISECONDS.toNanos(100);
                    LockSupport.parkNanos(next - System.nanoTime());
                  }
                });
    Thread delaySampler =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  TreeMap<Double, Double> previous = before;
                  long next = start;
                  while (System.nanoTime() < stopSampling.get()) {
                    next += TimeUnit.SECONDS.toNanos(1);
                    LockSupport.parkNanos(next - System.nanoTime());
                    try {
                      TreeMap<Double, Double> now = buckets(metrics(replica));
                      TreeMap<Double, Double> delta = minus(now, previous);
                      previous = now;
                      double events = delta.isEmpty() ? 0 : delta.lastEntry().getValue();
                      if (events > 0) {
                        synchronized (phase.perSecondP99) {
                          phase.perSecondP99.add(
                              new double[] {
                                (System.nanoTime() - start) / 1e9, quantileMs(delta, 0.99), events
                              });
                        }
                      }
                    } catch (Exception e) {
                      // As above.
                    }
                  }
                });
    openLoop(phase, rate, start);
    long writesDone = System.nanoTime();

    // Every accepted write is one event: wait until the replica has applied them all.
    long deadline = writesDone + TimeUnit.SECONDS.toNanos(180);
    TreeMap<Double, Double> after;
    while (true) {
      after = buckets(metrics(replica));
      TreeMap<Double, Double> delta = minus(after, before);
      double applied = delta.isEmpty() ? 0 : delta.lastEntry().getValue();
      if (applied >= phase.accepted) {
        break;
      }
      if (System.nanoTime() > deadline) {
        notes.add(
            String.format(
                Locale.ROOT,
                "at %d/s the replica had applied %.0f of %d accepted writes 180 s after the last"
                    + " one",
                rate,
                applied,
                phase.accepted));
        break;
      }
      Thread.sleep(200);
    }
    phase.catchUpSeconds = (System.nanoTime() - writesDone) / 1e9;
    phase.cpu = cpuShare(cpuBefore, cpu());
    tap.stop();
    tapping.join();
    phase.tap = tap;
    // A little idle time after the catch-up, so that the plot shows the lag settle.
    Thread.sleep(2000);
    stopSampling.set(System.nanoTime());
    lagSampler.join();
    delaySampler.join();
    TreeMap<Double, Double> delta = minus(after, before);
    if (delta.isEmpty()) {
      throw new IllegalStateException(
          "the replica has no "
              + DELAY_BUCKET
              + " (accepted "
              + phase.accepted
              + ", refused "
              + phase.refused
              + ", failed "
              + phase.failed
              + "); is query-side built?");
    }
    phase.delayCount = Math.round(delta.isEmpty() ? 0 : delta.lastEntry().getValue());
    phase.delayP50 = quantileMs(delta, 0.50);
    phase.delayP99 = quantileMs(delta, 0.99);
    double lastFinite = delta.lowerKey(Double.POSITIVE_INFINITY) * 1000;
    phase.p99Overflow = phase.delayP99 >= lastFinite;
    progress(
        "  %d/s: accepted %d (%.0f/s), replication delay p50 %.0f ms p99 %.0f ms, caught up %.1f s"
            + " after",
        rate,
        phase.accepted,
        phase.accepted / phase.seconds,
        phase.delayP50,
        phase.delayP99,
        phase.catchUpSeconds);
    return phase;
  }

  /**
   * Sends writes to the primary at a fixed rate whatever the answers do (open loop); a tick finds
   * at most 256 writes in flight, else it is not sent and counted. Latency is from the tick.
   */
  private void openLoop(RatePhase phase, int rate, long start) throws Exception {
    int maxInFlight = 256;
    Semaphore inFlight = new Semaphore(maxInFlight);
    long period = TimeUnit.SECONDS.toNanos(1) / rate;
    long end = start + TimeUnit.SECONDS.toNanos(rateSeconds);
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong accepted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    // By the second in which the primary answered, so that a backlog shows where it is served.
    long[] perSecond = new long[rateSeconds + 300];
    long sent = 0;
    long notSent = 0;
    String prefix = "lag-" + rate + "-" + UUID.randomUUID().toString().substring(0, 6) + "-";
    for (long i = 0; ; i++) {
      long tick = start + i * period;
      if (tick >= end) {
        break;
      }
      long wait = tick - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (!inFlight.tryAcquire()) {
        notSent++;
        continue;
      }
      sent++;
      HttpRequest request =
          writeRequest(
              primary, prefix + (i % 200), sessions.get((int) (i % sessions.size())), "lag " + i);
      http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (response, error) -> {
                try {
                  if (error != null) {
                    failed.incrementAndGet();
                  } else if (response.statusCode() == 201) {
                    long now = System.nanoTime();
                    latencies.add((now - tick) / 1e6);
                    int second = (int) ((now - start) / TimeUnit.SECONDS.toNanos(1));
                    synchronized (perSecond) {
                      perSecond[Math.min(second, perSecond.length - 1)]++;
                    }
                    accepted.incrementAndGet();
                  } else {
                    refused.incrementAndGet();
                  }
                } finally {
                  // Released last: the phase ends once every permit is back, its counts included.
                  inFlight.release();
                }
              });
    }
    if (!inFlight.tryAcquire(maxInFlight, 120, TimeUnit.SECONDS)) {
      notes.add("at " + rate + "/s some writes were still unanswered 120 s after the last tick");
    }
    phase.seconds = rateSeconds;
    phase.sent = sent;
    phase.notSent = notSent;
    phase.accepted = accepted.get();
    phase.refused = refused.get();
    phase.failed = failed.get();
    phase.writeLatency = new ArrayList<>(latencies);
    phase.acceptedPerSecond = perSecond;
    phase.lastAnswer = (System.nanoTime() - start) / 1e9;
  }

  /** Waits until the primary has published everything and both projections hold it. */
  private void drain() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      String p = metrics(primary);
      String r = metrics(replica);
      if (gauge(p, "comments_publisher_lag_seconds") == 0
          && gauge(p, "comments_projection_lag_events") == 0
          && gauge(r, "comments_projection_lag_events") == 0) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the cluster did not catch up within 180 s");
  }

  private static double gauge(String metrics, String name) {
    double sum = 0;
    boolean found = false;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }

  /**
   * A bare consumer of the event log beside the replica's own, over the same delayed path: for each
   * event, the time the primary's publisher took (record timestamp, set when it sent the record,
   * minus the event's time) and the log's share (received here minus the record timestamp). One
   * clock: every process runs on this machine.
   */
  static final class Tap {
    private final KafkaConsumer<String, String> consumer;
    private volatile boolean running = true;
    final List<Double> published = new ArrayList<>();
    final List<Double> transit = new ArrayList<>();
    private final List<double[]> publishedAt = new ArrayList<>(); // seconds since start, ms

    private Tap(KafkaConsumer<String, String> consumer) {
      this.consumer = consumer;
    }

    static Tap open(String bootstrap, String topic) {
      Properties cc = new Properties();
      cc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      cc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(cc, new StringDeserializer(), new StringDeserializer());
      List<TopicPartition> tps = new ArrayList<>();
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
      consumer.assign(tps);
      consumer.seekToEnd(tps);
      for (TopicPartition tp : tps) {
        consumer.position(tp, Duration.ofSeconds(30));
      }
      return new Tap(consumer);
    }

    void run(long start) {
      try {
        while (running) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
            long now = System.currentTimeMillis();
            long eventTime =
                java.time.Instant.parse(JSON.readTree(r.value()).get("time").asText())
                    .toEpochMilli();
            double publishedMs = Math.max(0, r.timestamp() - eventTime);
            published.add(publishedMs);
            transit.add((double) Math.max(0, now - r.timestamp()));
            publishedAt.add(new double[] {(System.nanoTime() - start) / 1e9, publishedMs});
          }
        }
      } catch (Exception e) {
        System.err.println("bench: the event log tap stopped: " + e);
      } finally {
        consumer.close();
      }
    }

    void stop() {
      running = false;
    }

    /** p99 of the publisher's part of the events received in each second. */
    List<double[]> perSecondP99() {
      TreeMap<Integer, List<Double>> bySecond = new TreeMap<>();
      for (double[] s : publishedAt) {
        bySecond.computeIfAbsent((int) s[0], k -> new ArrayList<>()).add(s[1]);
      }
      List<double[]> points = new ArrayList<>();
      bySecond.forEach(
          (second, values) -> points.add(new double[] {second + 1, pct(values, 0.99)}));
      return points;
    }
  }

  /**
   * The bare log: a producer on the broker's direct listener (the primary's side), a consumer over
   * the replica's delayed path, the same producer settings as the node's publisher and the same
   * isolation as its consumer, on a topic of its own; latency is receive time minus send time, one
   * clock. {@link #open} creates the topic and warms both clients up, so that {@link #run} measures
   * from its first record.
   */
  private final class RoundTrip implements AutoCloseable {
    private final String topic;
    private final KafkaProducer<String, Long> producer;
    private final KafkaConsumer<String, Long> consumer;

    private RoundTrip(
        String topic, KafkaProducer<String, Long> producer, KafkaConsumer<String, Long> consumer) {
      this.topic = topic;
      this.producer = producer;
      this.consumer = consumer;
    }

    Kafka run(int rate) throws Exception {
      ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
      AtomicLong received = new AtomicLong();
      AtomicLong stop = new AtomicLong(Long.MAX_VALUE);
      Thread reader =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (System.nanoTime() < stop.get()) {
                      for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(200))) {
                        latencies.add((System.nanoTime() - r.value()) / 1e6);
                        received.incrementAndGet();
                      }
                    }
                  });
      long period = TimeUnit.SECONDS.toNanos(1) / rate;
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(rateSeconds);
      long sent = 0;
      for (long i = 0; ; i++) {
        long tick = start + i * period;
        if (tick >= end) {
          break;
        }
        long wait = tick - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        producer.send(new ProducerRecord<>(topic, "t" + (i % 200), System.nanoTime()));
        sent++;
      }
      double achieved = sent / ((System.nanoTime() - start) / 1e9);
      producer.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (received.get() < sent && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      stop.set(System.nanoTime());
      reader.join();
      return new Kafka(rate, sent, received.get(), achieved, new ArrayList<>(latencies));
    }

    @Override
    public void close() throws Exception {
      producer.close();
      consumer.close();
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaDirect))) {
        admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private RoundTrip openRoundTrip() throws Exception {
    String topic = "bench.roundtrip." + UUID.randomUUID().toString().substring(0, 8);
    int partitions = 12;
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaDirect))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Properties pc = new Properties();
    pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaDirect);
    pc.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    pc.put(ProducerConfig.ACKS_CONFIG, "all");
    pc.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    pc.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    Properties cc = new Properties();
    cc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaReplicaPath);
    cc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaProducer<String, Long> producer =
        new KafkaProducer<>(pc, new StringSerializer(), new LongSerializer());
    KafkaConsumer<String, Long> consumer =
        new KafkaConsumer<>(cc, new StringDeserializer(), new LongDeserializer());
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    consumer.assign(tps);
    consumer.seekToBeginning(tps);
    for (TopicPartition tp : tps) {
      consumer.position(tp, Duration.ofSeconds(30));
    }
    // Warms up both clients and the path; these records are consumed but not counted.
    for (int i = 0; i < 200; i++) {
      producer.send(new ProducerRecord<>(topic, "warm" + i, -1L));
      Thread.sleep(5);
    }
    producer.flush();
    int warm = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (warm < 200 && System.nanoTime() < deadline) {
      warm += consumer.poll(Duration.ofMillis(200)).count();
    }
    return new RoundTrip(topic, producer, consumer);
  }

  /** The bare Kafka round trip on its own, the nodes idle. */
  private Kafka kafkaPhase(int rate) throws Exception {
    progress("bare Kafka round trip alone at %d records/s for %d s", rate, rateSeconds);
    try (RoundTrip roundTrip = openRoundTrip()) {
      Kafka k = roundTrip.run(rate);
      progress(
          "  kafka alone %d/s: %d of %d received, p50 %.1f ms p99 %.1f ms",
          rate, k.received, k.sent, pct(k.latencies, 0.5), pct(k.latencies, 0.99));
      return k;
    }
  }

  /** The runs of one rate; the plot shows the run whose median delay is the median of the runs. */
  record Rate(int target, List<RatePhase> runs, Kafka kafka) {
    RatePhase representative() {
      List<RatePhase> sorted = new ArrayList<>(runs);
      sorted.sort(java.util.Comparator.comparingDouble(p -> p.delayP50));
      return sorted.get((sorted.size() - 1) / 2);
    }

    /** The median over the runs of a per-run figure. */
    double med(java.util.function.ToDoubleFunction<RatePhase> figure) {
      List<Double> values = new ArrayList<>();
      runs.forEach(r -> values.add(figure.applyAsDouble(r)));
      return median(values);
    }

    long sum(java.util.function.ToLongFunction<RatePhase> figure) {
      return runs.stream().mapToLong(figure).sum();
    }
  }

  private String lagTable(List<Rate> rates) {
    StringBuilder t = new StringBuilder();
    t.append(
        String.format(
            Locale.ROOT,
            "| writes to the primary, open loop, %d runs of %d s per rate (median of the runs) | "
                + rates.stream()
                    .map(r -> r.target + " /s")
                    .reduce((a, b) -> a + " | " + b)
                    .orElse("")
                + " |%n",
            runs,
            rateSeconds));
    t.append("| --- |").append(" --- |".repeat(rates.size())).append('\n');
    t.append(
        row(
            rates,
            "writes accepted (201) / refused (503) / failed / not sent (256 in flight), all runs",
            r ->
                r.sum(p -> p.accepted)
                    + " / "
                    + r.sum(p -> p.refused)
                    + " / "
                    + r.sum(p -> p.failed)
                    + " / "
                    + r.sum(p -> p.notSent)));
    t.append(
        row(
            rates,
            "achieved write rate (accepted / phase length)",
            r -> String.format(Locale.ROOT, "%.0f /s", r.med(p -> p.accepted / p.seconds))));
    t.append(
        row(
            rates,
            "write latency on the primary p50 / p99 (from the scheduled send)",
            r ->
                String.format(
                    Locale.ROOT,
                    "%.0f / %.0f ms",
                    r.med(p -> pct(p.writeLatency, 0.5)),
                    r.med(p -> pct(p.writeLatency, 0.99)))));
    t.append(
        row(
            rates,
            "**replication delay on the replica p50 / p99** (event time on the primary → applied;"
                + " bucket-interpolated)",
            r ->
                String.format(
                    Locale.ROOT,
                    "**%.0f / %.0f ms**",
                    r.med(p -> p.delayP50),
                    r.med(p -> p.delayP99))));
    t.append(
        row(
            rates,
            "replication delay p50 / p99 of each run",
            r ->
                r.runs.stream()
                        .map(
                            p ->
                                String.format(
                                    Locale.ROOT,
                                    "%.0f / %s%.0f",
                                    p.delayP50,
                                    p.p99Overflow ? "≥ " : "",
                                    p.delayP99))
                        .reduce((x, y) -> x + "; " + y)
                        .orElse("")
                    + " ms"));
    t.append(
        row(
            rates,
            "events in the histogram deltas, all runs",
            r -> Long.toString(r.sum(p -> p.delayCount))));
    t.append(
        row(
            rates,
            "replica caught up after the last write",
            r -> String.format(Locale.ROOT, "%.1f s", r.med(p -> p.catchUpSeconds))));
    t.append(
        row(
            rates,
            "part 1, on the primary: event time → its record's Kafka timestamp (the publisher's"
                + " send), p50 / p99",
            r ->
                String.format(
                    Locale.ROOT,
                    "%.0f / %.0f ms",
                    r.med(p -> pct(p.tap.published, 0.5)),
                    r.med(p -> pct(p.tap.published, 0.99)))));
    t.append(
        row(
            rates,
            "part 2, the log: Kafka timestamp → received over the replica's path by a bare consumer"
                + " beside the node's, p50 / p99",
            r ->
                String.format(
                    Locale.ROOT,
                    "%.0f / %.0f ms",
                    r.med(p -> pct(p.tap.transit, 0.5)),
                    r.med(p -> pct(p.tap.transit, 0.99)))));
    t.append(
        row(
            rates,
            "the replica's own view: X-Replica-Lag-Ms (behind the log) sampled every 100 ms, median"
                + " / max",
            r ->
                String.format(
                    Locale.ROOT,
                    "%.0f / %.0f ms",
                    r.med(p -> samples(p.lagSamples, 0.5)),
                    r.med(p -> samples(p.lagSamples, 1.0)))));
    t.append(
        row(
            rates,
            "CPU from the first write to the replica's catch-up: machine busy / of which this"
                + " benchmark's processes (% of all cores), each run",
            r -> r.runs.stream().map(p -> p.cpu).reduce((x, y) -> x + "; " + y).orElse("")));
    t.append(
        row(
            rates,
            "bare Kafka produce → consume over the replica's path at the target rate, once, right"
                + " after (nodes idle), p50 / p99 (records sent / received)",
            r -> kafkaCell(r.kafka)));
    return t.toString().strip();
  }

  private static double samples(List<double[]> samples, double q) {
    List<Double> values = new ArrayList<>();
    synchronized (samples) {
      samples.forEach(s -> values.add(s[1]));
    }
    return pct(values, q);
  }

  private static String kafkaCell(Kafka k) {
    return String.format(
        Locale.ROOT,
        "%.1f / %.1f ms (%d / %d)",
        pct(k.latencies, 0.5),
        pct(k.latencies, 0.99),
        k.sent,
        k.received);
  }

  private static String row(
      List<Rate> rates, String what, java.util.function.Function<Rate, String> cell) {
    StringBuilder s = new StringBuilder("| ").append(what).append(" |");
    for (Rate r : rates) {
      s.append(' ').append(cell.apply(r)).append(" |");
    }
    return s.append('\n').toString();
  }

  // ---------------------------------------------------------------- plot

  private static final Color LAG_COLOR = new Color(0x1F77B4);
  private static final Color P99_COLOR = new Color(0xD62728);
  private static final Color BAR_COLOR = new Color(0xDADADA);
  private static final Color PUBLISHER_COLOR = new Color(0x2CA02C);

  private void plot(List<RatePhase> phases, Path png) throws IOException {
    int width = 1200;
    int panel = 360;
    int top = 120;
    int height = top + panel * phases.size();
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
    g.drawString(
        String.format(
            Locale.ROOT,
            "Replication lag of %s (replica) behind %s (primary), %d ms simulated one way",
            replicaId,
            primaryId,
            oneWayMs),
        70,
        30);
    legend(g, 70, 48);
    for (int i = 0; i < phases.size(); i++) {
      drawPanel(g, phases.get(i), 70, top + 30 + i * panel, width - 170, panel - 95);
    }
    g.dispose();
    Files.createDirectories(png.toAbsolutePath().getParent());
    ImageIO.write(image, "png", png.toFile());
  }

  private static void legend(Graphics2D g, int x, int y) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.setStroke(new BasicStroke(2f));
    g.setColor(P99_COLOR);
    g.drawLine(x, y + 6, x + 30, y + 6);
    g.fillOval(x + 12, y + 3, 7, 7);
    g.setColor(Color.BLACK);
    g.drawString(
        "replication delay p99 of the events applied in each second (event time on the primary →"
            + " applied on the replica)",
        x + 38,
        y + 11);
    g.setColor(PUBLISHER_COLOR);
    g.drawLine(x, y + 26, x + 30, y + 26);
    g.fillOval(x + 12, y + 23, 7, 7);
    g.setColor(Color.BLACK);
    g.drawString(
        "part on the primary: event time → Kafka record timestamp, p99 per second", x + 38, y + 31);
    g.setColor(LAG_COLOR);
    g.drawLine(x, y + 46, x + 30, y + 46);
    g.setColor(Color.BLACK);
    g.drawString(
        "the replica's view: X-Replica-Lag-Ms (behind the log), every 100 ms", x + 38, y + 51);
    g.setColor(BAR_COLOR);
    g.fillRect(x + 820, y + 40, 30, 12);
    g.setColor(Color.BLACK);
    g.drawString("writes answered 201 per second", x + 858, y + 51);
    g.setStroke(new BasicStroke(1f));
  }

  private void drawPanel(Graphics2D g, RatePhase p, int x0, int y0, int w, int h) {
    double xMax = p.lastAnswer + p.catchUpSeconds + 2.5;
    for (double[] s : p.lagSamples) {
      xMax = Math.max(xMax, s[0]);
    }
    xMax = Math.ceil(xMax / 5) * 5;
    double yMax = 1;
    for (double[] s : p.lagSamples) {
      yMax = Math.max(yMax, s[1]);
    }
    for (double[] s : p.perSecondP99) {
      yMax = Math.max(yMax, s[1]);
    }
    for (double[] s : p.tap.perSecondP99()) {
      yMax = Math.max(yMax, s[1]);
    }
    yMax = niceCeiling(yMax * 1.05);
    long rMaxRaw = 1;
    for (long n : p.acceptedPerSecond) {
      rMaxRaw = Math.max(rMaxRaw, n);
    }
    double rMax = niceCeiling(Math.max(rMaxRaw, p.target) * 1.02);

    Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.setColor(Color.BLACK);
    g.drawString(
        String.format(
            Locale.ROOT,
            "target %d writes/s to the primary for %d s (%s): %.0f/s accepted; replication delay"
                + " p50 %.0f ms, p99 %.0f ms",
            p.target,
            rateSeconds,
            p.label,
            p.accepted / p.seconds,
            p.delayP50,
            p.delayP99),
        x0,
        y0 - 12);
    g.setColor(BAR_COLOR);
    for (int s = 0; s < p.acceptedPerSecond.length && s < xMax; s++) {
      int bx = x0 + (int) (s / xMax * w);
      int bw = Math.max(1, (int) (1 / xMax * w) - 2);
      int bh = (int) (p.acceptedPerSecond[s] / rMax * h);
      g.fillRect(bx + 1, y0 + h - bh, bw, bh);
    }
    g.setFont(small);
    for (int k = 0; k <= 5; k++) {
      int y = y0 + h - k * h / 5;
      g.setColor(new Color(0xEEEEEE));
      g.drawLine(x0, y, x0 + w, y);
      g.setColor(Color.DARK_GRAY);
      String left = String.format(Locale.ROOT, "%.0f", yMax * k / 5);
      g.drawString(left, x0 - 8 - g.getFontMetrics().stringWidth(left), y + 4);
      g.drawString(String.format(Locale.ROOT, "%.0f", rMax * k / 5), x0 + w + 8, y + 4);
    }
    double xStep = xMax <= 30 ? 5 : xMax <= 80 ? 10 : 20;
    for (double x = 0; x <= xMax + 1e-9; x += xStep) {
      int px = x0 + (int) (x / xMax * w);
      g.setColor(Color.DARK_GRAY);
      g.drawLine(px, y0 + h, px, y0 + h + 4);
      String t = String.format(Locale.ROOT, "%.0f", x);
      g.drawString(t, px - g.getFontMetrics().stringWidth(t) / 2, y0 + h + 18);
    }
    g.setColor(Color.BLACK);
    g.drawRect(x0, y0, w, h);
    g.setFont(label);
    g.drawString("seconds since the phase started", x0 + w / 2 - 90, y0 + h + 36);
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    rotated.drawString("lag (ms)", -(y0 + h / 2 + 25), x0 - 50);
    rotated.setColor(Color.GRAY);
    rotated.drawString("writes/s", -(y0 + h / 2 + 25), x0 + w + 62);
    rotated.dispose();
    int targetY = y0 + h - (int) (p.target / rMax * h);
    g.setColor(Color.GRAY);
    g.setStroke(
        new BasicStroke(
            1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {2f, 4f}, 0f));
    g.drawLine(x0, targetY, x0 + w, targetY);
    g.setFont(small);
    String target = "target " + p.target + " writes/s";
    g.drawString(target, x0 + w - 6 - g.getFontMetrics().stringWidth(target), targetY - 4);
    marker(g, "writes stop", rateSeconds, xMax, x0, y0, w, h, 14);
    if (p.lastAnswer - rateSeconds > 0.5) {
      marker(g, "last write answered", p.lastAnswer, xMax, x0, y0, w, h, 30);
    }
    series(g, p.lagSamples, false, LAG_COLOR, 1.6f, xMax, yMax, x0, y0, w, h);
    series(g, p.tap.perSecondP99(), true, PUBLISHER_COLOR, 2.2f, xMax, yMax, x0, y0, w, h);
    series(g, p.perSecondP99, true, P99_COLOR, 2.2f, xMax, yMax, x0, y0, w, h);
    g.setStroke(new BasicStroke(1f));
  }

  private static void marker(
      Graphics2D g, String text, double at, double xMax, int x0, int y0, int w, int h, int dy) {
    int x = x0 + (int) (at / xMax * w);
    g.setColor(Color.GRAY);
    g.setStroke(
        new BasicStroke(
            1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {5f, 5f}, 0f));
    g.drawLine(x, y0, x, y0 + h);
    g.setStroke(new BasicStroke(1f));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString(text, x + 4, y0 + dy);
  }

  private static void series(
      Graphics2D g,
      List<double[]> points,
      boolean dots,
      Color color,
      float stroke,
      double xMax,
      double yMax,
      int x0,
      int y0,
      int w,
      int h) {
    g.setColor(color);
    g.setStroke(new BasicStroke(stroke));
    int[] prev = null;
    for (double[] s : points) {
      int[] pt = {x0 + (int) (s[0] / xMax * w), y0 + h - (int) (Math.min(s[1], yMax) / yMax * h)};
      if (prev != null) {
        g.drawLine(prev[0], prev[1], pt[0], pt[1]);
      }
      if (dots) {
        g.fillOval(pt[0] - 3, pt[1] - 3, 7, 7);
      }
      prev = pt;
    }
  }

  private static double niceCeiling(double v) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
      if (step * magnitude >= v) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static final long STARTED = System.nanoTime();

  private static void progress(String format, Object... args) {
    System.err.printf(
        Locale.ROOT,
        "bench: [%5.1f s] %s%n",
        (System.nanoTime() - STARTED) / 1e9,
        String.format(Locale.ROOT, format, args));
  }
}
