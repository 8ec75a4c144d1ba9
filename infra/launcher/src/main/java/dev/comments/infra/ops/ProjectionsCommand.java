package dev.comments.infra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.edge.primary.ClusterKey;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import dev.comments.infra.dev.DevSecrets;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * {@code comments projections list|status NAME|rebuild NAME|checksum NAME|dead-letters|retry}: the
 * operator's view of one node's projections, through its {@code /admin/…} routes. The routes want
 * the deployment's cluster key, read from the data directory's secrets ({@code --data-dir}, as
 * {@code comments dev} and {@code comments cluster} write them). A rebuild is followed with a
 * progress bar (percent, events per second, ETA) until the new copy is swapped in.
 */
public final class ProjectionsCommand {
  public static final String USAGE =
      "comments projections list|status NAME|rebuild NAME [--no-wait]|checksum NAME"
          + "|dead-letters|retry [--node URL] [--data-dir DIR]";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration FOLLOW_EVERY = Duration.ofMillis(250);
  private static final int BAR = 30;

  private final URI node;
  private final String clusterKey;
  private final PrintStream out;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public ProjectionsCommand(URI node, String clusterKey, PrintStream out) {
    this.node = node;
    this.clusterKey = clusterKey;
    this.out = out;
  }

  /** The cluster key header of the deployment whose secrets {@code dataDir} holds. */
  public static String clusterKeyOf(Path dataDir) throws IOException {
    Path file = dataDir.resolve("secrets.properties");
    if (!Files.isReadable(file)) {
      throw new IOException(
          "no secrets at " + file + ": give the node's --data-dir (data/dev or data/cluster)");
    }
    String secret = DevSecrets.load(file).getProperty(DevSecrets.CLUSTER);
    return ClusterKey.headerOf(
        KeyRing.of(new SigningKey(DevSecrets.KEY_ID, Base64.getDecoder().decode(secret))));
  }

  /** Runs one verb; returns the process's exit status (0 done, 1 refused or failed). */
  public int run(String verb, List<String> names, boolean wait)
      throws IOException, InterruptedException {
    return switch (verb) {
      case "list" -> print(get("/admin/projections"));
      case "status" -> print(get("/admin/projections/" + name(names)));
      case "checksum" -> print(get("/admin/projections/" + name(names) + "/checksum"));
      case "dead-letters" -> print(get("/admin/dead-letters"));
      case "retry" -> print(post("/admin/dead-letters/retry"));
      case "rebuild" -> rebuild(name(names), wait);
      default -> throw new IllegalArgumentException("unknown verb: " + verb + "; " + USAGE);
    };
  }

  private int rebuild(String name, boolean wait) throws IOException, InterruptedException {
    Answer started = post("/admin/projections/" + name + "/rebuild");
    if (started.status() != 202 || !wait) {
      return print(started);
    }
    while (true) {
      Answer status = get("/admin/projections/" + name);
      if (status.status() != 200) {
        return print(status);
      }
      JsonNode progress = status.json().path("lastRebuild");
      out.print("\r" + bar(progress));
      out.flush();
      String state = progress.path("state").asText();
      if (!status.json().path("rebuilding").asBoolean() && !state.equals("running")) {
        out.println();
        out.println(
            name
                + ": "
                + state
                + (state.equals("swapped")
                    ? ", generation " + status.json().path("generation").asInt() + " serves now"
                    : ": " + progress.path("error").asText()));
        return state.equals("swapped") ? 0 : 1;
      }
      Thread.sleep(FOLLOW_EVERY);
    }
  }

  /** {@code [#########.........] 45.2% 12,345 ev/s ETA 3s} */
  static String bar(JsonNode progress) {
    double percent = progress.path("percent").asDouble();
    int filled = (int) Math.round(BAR * Math.min(100, percent) / 100);
    long eta = progress.path("etaSeconds").asLong(-1);
    return "["
        + "#".repeat(filled)
        + ".".repeat(BAR - filled)
        + "] "
        + String.format(Locale.ROOT, "%5.1f%%", percent)
        + String.format(Locale.ROOT, "  %,.0f ev/s", progress.path("eventsPerSecond").asDouble())
        + (eta < 0 ? "  ETA ?" : "  ETA " + eta + "s")
        + "   ";
  }

  private static String name(List<String> names) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("this verb needs a projection NAME; " + USAGE);
    }
    return URLEncoder.encode(names.getFirst(), StandardCharsets.UTF_8);
  }

  record Answer(int status, JsonNode json, String body) {}

  private int print(Answer answer) {
    out.println(answer.json() != null ? answer.json().toPrettyString() : answer.body());
    return answer.status() / 100 == 2 ? 0 : 1;
  }

  private Answer get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(node.resolve(path)).GET());
  }

  private Answer post(String path) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(node.resolve(path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response;
    try {
      response =
          http.send(
              request
                  .header(ClusterKey.HEADER, clusterKey)
                  .timeout(Duration.ofSeconds(120))
                  .build(),
              BodyHandlers.ofString());
    } catch (ConnectException e) {
      // The JDK's client says nothing of whom it could not reach (its message is null).
      throw new IOException(
          "cannot reach a node at "
              + node
              + " ("
              + e.getClass().getSimpleName()
              + "): is it running there? Give its address with --node",
          e);
    }
    JsonNode json = null;
    try {
      json = JSON.readTree(response.body());
    } catch (IOException e) {
      // Not JSON: shown as it came.
    }
    return new Answer(response.statusCode(), json, response.body());
  }
}
