import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Write-to-visible latency on one node: POST a comment, then read the thread from the local
 * projection (readPreference=nearest, no consistency token) until the comment is there.
 * Usage: java WriteToVisible.java BASE_URL TOKEN SAMPLES; prints "p50_ms p99_ms max_ms".
 */
public final class WriteToVisible {
  private static final Pattern ID = Pattern.compile("\"commentId\"\\s*:\\s*\"([^\"]+)\"");

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String token = args[1];
    int samples = Integer.parseInt(args[2]);
    HttpClient http = HttpClient.newHttpClient();
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      String thread = "visible-" + (i % 10);
      String url = base + "/api/v1/tenants/demo/threads/" + thread + "/comments";
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
      HttpRequest read =
          HttpRequest.newBuilder(URI.create(url + "?sort=newest&limit=5&readPreference=nearest"))
              .timeout(Duration.ofSeconds(10))
              .build();
      while (!http.send(read, HttpResponse.BodyHandlers.ofString()).body().contains(id.group(1))) {
        Thread.onSpinWait();
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
}
