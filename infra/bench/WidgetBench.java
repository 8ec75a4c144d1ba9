import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The widget in Debian's headless Chromium (through Debian's chromedriver, as the browser suites
 * drive it), against the demo article of a node (thread {@code welcome} of tenant {@code demo}).
 *
 * <pre>
 * seed API_BASE THREAD TOP REPLIES          TOP top-level comments with REPLIES replies each
 * wait API_BASE THREAD TOP                  until the node's own projection lists TOP top-level comments
 * load PAGE_URL LABEL RUNS                  per run a fresh browser: a first load, then a repeat load;
 *                                           prints one Markdown row per load kind
 * memory PAGE_URL API_BASE THREAD MINUTES   all comments shown, then live votes and comments for
 *                                           MINUTES; prints one Markdown row per minute
 * </pre>
 *
 * The time to the thread is the widget's {@code comments:rendered} mark (set once its first page is
 * in the DOM) minus the navigation's {@code domContentLoadedEventStart}, both from the Performance
 * API. Bytes are the Resource Timing {@code transferSize} of the document and every resource (the
 * websocket's frames are not in it). Heap is the page's JavaScript heap after a forced collection
 * ({@code HeapProfiler.collectGarbage}, then {@code Runtime.getHeapUsage}, over DevTools).
 */
public final class WidgetBench {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Pattern ID = Pattern.compile("\"commentId\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern TOKEN = Pattern.compile("\"sessionToken\"\\s*:\\s*\"([^\"]+)\"");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WORDS =
      "A comment of about the length readers write: a sentence or two on the article, with an"
          + " opinion, a question for the author and a link now and then.";

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "seed" ->
          seed(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      case "wait" -> waitFor(args[1], args[2], Integer.parseInt(args[3]));
      case "load" -> load(args[1], args[2], Integer.parseInt(args[3]));
      case "memory" -> memory(args[1], args[2], args[3], Integer.parseInt(args[4]));
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  // ---- the thread ----

  private static void seed(String api, String thread, int top, int replies) throws Exception {
    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      sessions.add(session(api, "Reader " + i));
    }
    AtomicInteger n = new AtomicInteger();
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < top; t++) {
        done.add(
            pool.submit(
                () -> {
                  int k = n.incrementAndGet();
                  String parent =
                      post(api, thread, sessions.get(k % 8), "#" + k + " " + WORDS, null);
                  for (int r = 0; r < replies; r++) {
                    int j = n.incrementAndGet();
                    post(api, thread, sessions.get(j % 8), "#" + j + " re: " + WORDS, parent);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
    System.err.println("bench: seeded " + n.get() + " comments in " + thread);
  }

  private static void waitFor(String api, String thread, int top) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (topLevel(api, thread).size() < top) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the node did not show " + top + " comments in 5 minutes");
      }
      Thread.sleep(500);
    }
  }

  /** The thread's top-level comments as the node's own projection lists them. */
  private static List<JsonNode> topLevel(String api, String thread) throws Exception {
    List<JsonNode> comments = new ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<String> page =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          api
                              + "/api/v1/tenants/demo/threads/"
                              + thread
                              + "/comments?readPreference=nearest&limit=100&replyLimit=100"
                              + (cursor == null ? "" : "&cursor=" + cursor)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (page.statusCode() != 200) {
        return comments;
      }
      JsonNode json = JSON.readTree(page.body());
      json.path("comments").forEach(comments::add);
      cursor = json.path("nextCursor").isTextual() ? json.path("nextCursor").asText() : null;
    } while (cursor != null);
    return comments;
  }

  private static String session(String api, String name) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api + "/api/v1/tenants/demo/sessions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"displayName\":\"" + name + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = TOKEN.matcher(r.body());
    if (!m.find()) {
      throw new IllegalStateException("no session: " + r.body());
    }
    return m.group(1);
  }

  private static String post(String api, String thread, String token, String text, String parent)
      throws Exception {
    String body =
        "{\"text\":\""
            + text
            + "\""
            + (parent == null ? "" : ",\"parentId\":\"" + parent + "\"")
            + "}";
    for (int attempt = 0; ; attempt++) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(api + "/api/v1/tenants/demo/threads/" + thread + "/comments"))
                  .header("Content-Type", "application/json")
                  .header("Authorization", "Bearer " + token)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 201) {
        Matcher m = ID.matcher(r.body());
        m.find();
        return m.group(1);
      }
      if (r.statusCode() != 503 || attempt > 10) {
        throw new IllegalStateException("post: " + r.statusCode() + " " + r.body());
      }
      Thread.sleep(500);
    }
  }

  private static void vote(String api, String token, String commentId, String direction)
      throws Exception {
    HTTP.send(
        HttpRequest.newBuilder(
                URI.create(api + "/api/v1/tenants/demo/comments/" + commentId + "/vote"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString("{\"direction\":\"" + direction + "\"}"))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  // ---- the browser ----

  private static ChromeDriver browser() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1000,1200",
        "--user-data-dir=" + Files.createTempDirectory("widget-bench-profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  private static Object js(ChromeDriver driver, String script, Object... arguments) {
    return ((JavascriptExecutor) driver).executeScript(script, arguments);
  }

  /** Navigates and waits for the widget's first render; returns {ms to thread, bytes}. */
  private static double[] open(ChromeDriver driver, String url) {
    driver.get(url);
    new WebDriverWait(driver, Duration.ofSeconds(60))
        .until(d -> (Boolean) js(driver, "return performance.getEntriesByName('comments:rendered').length > 0;"));
    // The page's read is in Resource Timing once its body is in; the widget renders after that.
    Number ms =
        (Number)
            js(
                driver,
                "const nav = performance.getEntriesByType('navigation')[0];"
                    + " return performance.getEntriesByName('comments:rendered')[0].startTime"
                    + " - nav.domContentLoadedEventStart;");
    Number bytes =
        (Number)
            js(
                driver,
                "return performance.getEntriesByType('navigation')"
                    + ".concat(performance.getEntriesByType('resource'))"
                    + ".reduce((s, e) => s + (e.transferSize || 0), 0);");
    return new double[] {ms.doubleValue(), bytes.doubleValue()};
  }

  private static String resources(ChromeDriver driver) {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> entries =
        (List<Map<String, Object>>)
            js(
                driver,
                "return performance.getEntriesByType('navigation')"
                    + ".concat(performance.getEntriesByType('resource'))"
                    + ".map(e => ({name: e.name.replace(location.origin, '').replace(/\\?.*/, '')"
                    + ".replace(/embed\\.[0-9a-f]{16}\\.js/, 'embed.<hash>.js'),"
                    + " bytes: e.transferSize}));");
    List<String> parts = new ArrayList<>();
    for (Map<String, Object> e : entries) {
      parts.add("`" + e.get("name") + "` " + e.get("bytes"));
    }
    return String.join(", ", parts);
  }

  private static void load(String url, String label, int runs) throws Exception {
    List<Double> firstMs = new ArrayList<>();
    List<Double> repeatMs = new ArrayList<>();
    List<Double> firstBytes = new ArrayList<>();
    List<Double> repeatBytes = new ArrayList<>();
    String firstParts = "";
    String repeatParts = "";
    int comments = 0;
    // One run more than asked, the first, warms the node and the disk cache and is left out.
    for (int run = 0; run <= runs; run++) {
      ChromeDriver driver = browser();
      try {
        double[] first = open(driver, url);
        String firstNow = resources(driver);
        comments =
            ((Number)
                    js(
                        driver,
                        "return document.querySelector('#comments').shadowRoot"
                            + ".querySelectorAll('li').length;"))
                .intValue();
        double[] repeat = open(driver, url);
        if (run > 0) {
          firstMs.add(first[0]);
          firstBytes.add(first[1]);
          repeatMs.add(repeat[0]);
          repeatBytes.add(repeat[1]);
          firstParts = firstNow;
          repeatParts = resources(driver);
        }
      } finally {
        driver.quit();
      }
    }
    System.out.printf(
        Locale.ROOT,
        "| %s, first load (empty cache) | %d | %.0f | %s | %.1f | %s |%n",
        label,
        comments,
        median(firstMs),
        list(firstMs),
        median(firstBytes) / 1024,
        firstParts);
    System.out.printf(
        Locale.ROOT,
        "| %s, repeat load (same browser) | %d | %.0f | %s | %.1f | %s |%n",
        label,
        comments,
        median(repeatMs),
        list(repeatMs),
        median(repeatBytes) / 1024,
        repeatParts);
  }

  private static void memory(String url, String api, String thread, int minutes) throws Exception {
    ChromeDriver driver = browser();
    try {
      open(driver, url);
      // Every comment on screen: "Load more" until there is no more.
      for (int i = 0; i < 1000; i++) {
        int before = shown(driver);
        Boolean more =
            (Boolean)
                js(
                    driver,
                    "const r = document.querySelector('#comments').shadowRoot;"
                        + " const b = Array.from(r.querySelectorAll('section > button'))"
                        + ".find(b => !b.hidden && !b.classList.contains('pill'));"
                        + " if (b) b.click(); return !!b;");
        if (!more) {
          break;
        }
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> shown(driver) > before);
      }
      List<String> ids = new ArrayList<>();
      driver.executeCdpCommand("Performance.enable", Map.of());
      List<String> sessions = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        sessions.add(session(api, "Live " + i));
      }
      ids.addAll(commentIds(api, thread));
      System.out.println(row(driver, 0, 0, 0));
      long start = System.nanoTime();
      int votes = 0;
      int posted = 0;
      for (int minute = 1; minute <= minutes; minute++) {
        long until = start + Duration.ofMinutes(minute).toNanos();
        while (System.nanoTime() < until) {
          long tick = System.nanoTime();
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int v = 0; v < 5; v++) {
            String[] directions = {"up", "down", "none"};
            vote(
                api,
                sessions.get(random.nextInt(sessions.size())),
                ids.get(random.nextInt(ids.size())),
                directions[random.nextInt(3)]);
            votes++;
          }
          if ((tick - start) / 1_000_000_000L % 5 == 0) {
            String parent = random.nextBoolean() ? null : ids.get(random.nextInt(ids.size()));
            ids.add(
                post(
                    api,
                    thread,
                    sessions.get(random.nextInt(sessions.size())),
                    "live #" + posted + " " + WORDS,
                    parent));
            posted++;
          }
          long rest = 1_000_000_000L - (System.nanoTime() - tick);
          if (rest > 0) {
            Thread.sleep(rest / 1_000_000, (int) (rest % 1_000_000));
          }
        }
        // A reader shows what waits behind "N new comments" now and then.
        js(
            driver,
            "const b = document.querySelector('#comments').shadowRoot.querySelector('button.pill');"
                + " if (b && !b.hidden) b.click();");
        System.out.println(row(driver, minute, votes, posted));
      }
    } finally {
      driver.quit();
    }
  }

  private static int shown(ChromeDriver driver) {
    return ((Number)
            js(driver, "return document.querySelector('#comments').shadowRoot.querySelectorAll('li').length;"))
        .intValue();
  }

  /** Every comment's id, replies included (the widget does not put ids in the DOM). */
  private static List<String> commentIds(String api, String thread) throws Exception {
    List<String> ids = new ArrayList<>();
    List<JsonNode> todo = new ArrayList<>(topLevel(api, thread));
    while (!todo.isEmpty()) {
      JsonNode c = todo.removeLast();
      ids.add(c.path("id").asText());
      c.path("replies").forEach(todo::add);
    }
    return ids;
  }

  @SuppressWarnings("unchecked")
  private static String row(ChromeDriver driver, int minute, int votes, int posted) {
    driver.executeCdpCommand("HeapProfiler.collectGarbage", Map.of());
    Map<String, Object> heap = driver.executeCdpCommand("Runtime.getHeapUsage", Map.of());
    Map<String, Object> metrics = driver.executeCdpCommand("Performance.getMetrics", Map.of());
    double nodes = 0;
    double listeners = 0;
    for (Map<String, Object> m : (List<Map<String, Object>>) metrics.get("metrics")) {
      if ("Nodes".equals(m.get("name"))) {
        nodes = ((Number) m.get("value")).doubleValue();
      }
      if ("JSEventListeners".equals(m.get("name"))) {
        listeners = ((Number) m.get("value")).doubleValue();
      }
    }
    return String.format(
        Locale.ROOT,
        "| %d | %d | %d | %d | %.2f | %.0f | %.0f |",
        minute,
        votes,
        posted,
        shown(driver),
        ((Number) heap.get("usedSize")).doubleValue() / (1024 * 1024),
        nodes,
        listeners);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get((sorted.size() - 1) / 2);
  }

  private static String list(List<Double> values) {
    List<String> parts = new ArrayList<>();
    for (double v : values) {
      parts.add(String.format(Locale.ROOT, "%.0f", v));
    }
    return String.join(", ", parts);
  }
}
