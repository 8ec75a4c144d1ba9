import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Write-to-visible latency on one node, one writer, one write at a time. Two ways to see a write:
 * <ul>
 *   <li>{@code poll} (the default): POST a comment, then read the thread from the local projection
 *       (readPreference=nearest, no consistency token) in a loop until the comment is there; the
 *       reader's own requests share the cores with the write's path;
 *   <li>{@code live}: a websocket reader follows the thread, and the write is visible when its
 *       {@code comment-posted} message arrives, pushed once the projection applied it.
 * </ul>
 * Usage: java WriteToVisible.java BASE_URL TOKEN SAMPLES [poll|live]; prints "p50_ms p99_ms max_ms".
 */
public final class WriteToVisible {
  private static final Pattern ID = Pattern.compile("\"commentId\"\\s*:\\s*\"([^\"]+)\"");

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String token = args[1];
    int samples = Integer.parseInt(args[2]);
    boolean live = args.length > 3 && args[3].equals("live");
    HttpClient http = HttpClient.newHttpClient();
    List<Double> millis = new ArrayList<>();
    List<Reader> readers = new ArrayList<>();
    for (int t = 0; t < 10; t++) {
      readers.add(live ? Reader.follow(http, base, "visible-" + t) : null);
    }
    for (int i = 0; i < samples; i++) {
      String thread = "visible-" + (i % 10);
      String url = base + "/api/v1/tenants/demo/threads/" + thread + "/comments";
      Reader reader = readers.get(i % 10);
      if (reader != null) {
        reader.received.clear();
      }
      long start = System.nanoTime();
      HttpResponse<String> posted =
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Content-Type", "application/json")
                  .header("Authorization", "Bearer " + token)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"visible " + i + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Matcher id = ID.matcher(posted.body());
      if (posted.statusCode() != 201 || !id.find()) {
        throw new IllegalStateException("post failed: " + posted.statusCode() + " " + posted.body());
      }
      if (reader != null) {
        reader.await(id.group(1));
      } else {
        HttpRequest read =
            HttpRequest.newBuilder(URI.create(url + "?sort=newest&limit=5&readPreference=nearest"))
                .timeout(Duration.ofSeconds(10))
                .build();
        while (!http.send(read, HttpResponse.BodyHandlers.ofString()).body().contains(id.group(1))) {
          Thread.onSpinWait();
        }
      }
      millis.add((System.nanoTime() - start) / 1e6);
    }
    Collections.sort(millis);
    System.out.printf(
        "%.1f %.1f %.1f%n",
        millis.get(millis.size() / 2),
        millis.get((int) Math.ceil(millis.size() * 0.99) - 1),
        millis.getLast());
  }

  /** A websocket reader of one thread: the text of each message, as it arrives. */
  private static final class Reader implements WebSocket.Listener {
    final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();

    static Reader follow(HttpClient http, String base, String thread) throws Exception {
      Reader reader = new Reader();
      http.newWebSocketBuilder()
          .buildAsync(
              URI.create(base.replaceFirst("^http", "ws") + "/live/v1/tenants/demo/threads/" + thread),
              reader)
          .get(10, TimeUnit.SECONDS);
      while (!reader.next().contains("\"subscribed\"")) {
        // presence, before the subscription is confirmed
      }
      return reader;
    }

    /** Waits for the comment-posted message of {@code commentId}. */
    void await(String commentId) throws InterruptedException {
      while (true) {
        String message = next();
        if (message.contains("\"comment-posted\"") && message.contains(commentId)) {
          return;
        }
      }
    }

    private String next() throws InterruptedException {
      String message = received.poll(10, TimeUnit.SECONDS);
      if (message == null) {
        throw new IllegalStateException("no live message within 10 s");
      }
      return message;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }
  }
}
