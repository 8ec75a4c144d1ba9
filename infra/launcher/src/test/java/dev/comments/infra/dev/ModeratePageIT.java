package dev.comments.infra.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.comments.infra.ApiClient;
import dev.comments.infra.ApiClient.Reply;
import dev.comments.infra.Browsers;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The moderators' page ({@code /moderate}) in a real browser (Debian's Chromium through its
 * chromedriver) against one dev node whose tenant {@code demo} holds every new comment for a
 * moderator. Comments are made through the HTTP API; the page works the queue with the keyboard.
 * Without Chromium the suite is skipped, unless {@code COMMENTS_BROWSER_TESTS=required} (CI).
 */
class ModeratePageIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String QUEUE = "/api/v1/tenants/demo/moderation/queue";

  @TempDir static Path data;
  @TempDir static Path profiles;
  private static DevNode node;
  private static ApiClient api;
  private static String moderatorToken;
  private static final AtomicInteger counter = new AtomicInteger();
  private Browsers browsers;

  @BeforeAll
  static void start() throws Exception {
    Browsers.assumeInstalled();
    node =
        DevNode.start(
            data,
            0,
            "--comments.limits.enabled=false",
            "--comments.tenants.demo.moderation.pre-moderation=all");
    api = new ApiClient(node.baseUrl());
    Reply appointed =
        api.send(
            "POST", "/api/v1/tenants/demo/moderators", node.adminKey(), "{\"name\":\"Grace\"}");
    assertThat(appointed.status()).isEqualTo(201);
    moderatorToken = appointed.json().get("token").asText();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @BeforeEach
  void browsers() {
    browsers = new Browsers(profiles, 1000, 900);
  }

  @AfterEach
  void closeBrowsers() {
    browsers.quitAll();
  }

  private static String thread() {
    return "moderate-" + counter.incrementAndGet();
  }

  /** Posts pending comments in a new thread and waits until this node's queue lists them all. */
  private static List<String> pending(String thread, String author, String... texts) {
    String session = api.session("demo", author);
    List<String> ids = new ArrayList<>();
    for (String text : texts) {
      Reply posted = api.post("demo", thread, session, text, null);
      assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
      ids.add(posted.json().get("commentId").asText());
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                api.send("GET", QUEUE + "?thread=" + thread, moderatorToken, null)
                        .json()
                        .get("items")
                        .size()
                    == texts.length);
    return ids;
  }

  /** Opens the page for tenant demo, enters the token and waits for the queue. */
  private WebDriver open(String query, String token) throws IOException {
    WebDriver driver = browsers.open();
    driver.get(node.baseUrl() + "/moderate?tenant=demo&lang=en&" + query);
    driver.findElement(By.id("token")).sendKeys(token, Keys.ENTER);
    return driver;
  }

  private static Object js(WebDriver driver, String script, Object... arguments) {
    return ((JavascriptExecutor) driver).executeScript(script, arguments);
  }

  @SuppressWarnings("unchecked")
  private static List<String> listed(WebDriver driver) {
    return (List<String>)
        js(
            driver,
            "return Array.from(document.querySelectorAll('ul.queue > li'))"
                + ".map(li => li.dataset.comment);");
  }

  private static String focused(WebDriver driver) {
    return (String) js(driver, "return document.activeElement.dataset.comment || null;");
  }

  private static String pageText(WebDriver driver) {
    return (String) js(driver, "return document.body.innerText;");
  }

  private static void waitForText(WebDriver driver, String text) {
    new WebDriverWait(driver, WAIT)
        .withMessage(() -> "\"" + text + "\" on the page, which shows: " + pageText(driver))
        .until(d -> pageText(d).contains(text));
  }

  private static void waitForListed(WebDriver driver, List<String> ids) {
    new WebDriverWait(driver, WAIT)
        .withMessage(() -> ids + " listed, but the page lists " + listed(driver))
        .until(d -> listed(d).equals(ids));
  }

  private static void press(WebDriver driver, String key) {
    new Actions(driver).sendKeys(key).perform();
  }

  private static String publicPage(String thread) {
    return api.thread("demo", thread, null, null).json().toString();
  }

  @Test
  void lists_pending_comments_and_approving_by_keyboard_shows_the_comment_to_readers()
      throws Exception {
    String thread = thread();
    List<String> ids = pending(thread, "Ada", "First pending comment", "Second pending comment");
    WebDriver driver = open("thread=" + thread, moderatorToken);
    // Newest first; the first is focused, ready for the keyboard.
    waitForListed(driver, ids.reversed());
    assertThat(pageText(driver)).contains("Ada", "in " + thread, "Second pending comment");
    assertThat(focused(driver)).isEqualTo(ids.get(1));
    assertThat(publicPage(thread)).doesNotContain("pending comment");

    press(driver, "a");
    waitForText(driver, "Approved: Second pending comment");
    waitForListed(driver, List.of(ids.get(0)));
    assertThat(focused(driver)).isEqualTo(ids.get(0));
    await().atMost(WAIT).until(() -> publicPage(thread).contains("Second pending comment"));
    assertThat(publicPage(thread)).doesNotContain("First pending comment");
  }

  @Test
  void a_comment_shows_the_page_it_was_written_on_as_a_link_of_text_only() throws Exception {
    String thread = thread();
    String session = api.session("demo", "Pia");
    String url = "https://news.example.com/2026/launch?ref=home";
    Reply posted =
        api.send(
            "POST",
            "/api/v1/tenants/demo/threads/" + thread + "/comments",
            session,
            "{\"text\":\"Written on a page\",\"page\":{\"url\":\""
                + url
                + "\",\"title\":\"Launch <b>day</b> <img src=x onerror=alert(1)>\"}}");
    assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
    String withPage = posted.json().get("commentId").asText();
    Reply bare = api.post("demo", thread, session, "Written nowhere", null);
    String withoutPage = bare.json().get("commentId").asText();
    await()
        .atMost(WAIT)
        .until(
            () ->
                api.send("GET", QUEUE + "?thread=" + thread, moderatorToken, null)
                        .json()
                        .get("items")
                        .size()
                    == 2);

    WebDriver driver = open("thread=" + thread, moderatorToken);
    waitForListed(driver, List.of(withoutPage, withPage));
    @SuppressWarnings("unchecked")
    Map<String, Object> link =
        (Map<String, Object>)
            js(
                driver,
                "const a = document.querySelector('li[data-comment=\"' + arguments[0] + '\"] a');"
                    + " return a && {href: a.getAttribute('href'), rel: a.rel, text: a.textContent,"
                    + " elements: a.children.length, target: a.target};",
                withPage);
    assertThat(link)
        .containsEntry("href", url)
        .containsEntry("rel", "noopener noreferrer nofollow")
        .containsEntry("text", "Launch <b>day</b> <img src=x onerror=alert(1)>")
        .containsEntry("target", "_blank");
    assertThat(((Number) link.get("elements")).intValue()).isZero();
    assertThat(pageText(driver)).contains("in " + thread, "Page: Launch <b>day</b>");
    assertThat(
            js(
                driver,
                "return document.querySelector('li[data-comment=\"' + arguments[0] + '\"] a');",
                withoutPage))
        .isNull();
  }

  @Test
  void a_comment_s_images_show_as_small_thumbnails_linking_to_the_image() throws Exception {
    String thread = thread();
    String session = api.session("demo", "Ivy");
    String wide = upload(session, 640, 200);
    String tall = upload(session, 30, 300);
    Reply posted = postWithMedia(thread, session, "Two pictures", wide, tall);
    String id = posted.json().get("commentId").asText();
    await()
        .atMost(WAIT)
        .until(
            () ->
                api.send("GET", QUEUE + "?thread=" + thread, moderatorToken, null)
                    .json()
                    .at("/items/0/comment/media/1/contentType")
                    .isTextual());

    WebDriver driver = open("thread=" + thread, moderatorToken);
    waitForListed(driver, List.of(id));
    String thumbs = "li[data-comment=\"" + id + "\"] .thumbs";
    // Loaded (the page's policy lets it load images of its own origin) and drawn small.
    new WebDriverWait(driver, WAIT)
        .until(
            d ->
                (Boolean)
                    js(
                        d,
                        "return Array.from(document.querySelectorAll(arguments[0] + ' img'))"
                            + ".filter(i => i.complete && i.naturalWidth > 0).length === 2;",
                        thumbs));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> shown =
        (List<Map<String, Object>>)
            js(
                driver,
                "return Array.from(document.querySelectorAll(arguments[0] + ' a')).map(a => {"
                    + " const img = a.querySelector('img'), box = img.getBoundingClientRect();"
                    + " return {href: a.getAttribute('href'), target: a.target, rel: a.rel,"
                    + " alt: img.alt, width: box.width, height: box.height}; });",
                thumbs);
    assertThat(shown).hasSize(2);
    assertThat(shown.get(0))
        .containsEntry("href", "/cdn/v1/demo/" + wide)
        .containsEntry("target", "_blank")
        .containsEntry("rel", "noopener noreferrer")
        .containsEntry("alt", "Image 1 of 2 in the comment by Ivy");
    assertThat(shown.get(1))
        .containsEntry("href", "/cdn/v1/demo/" + tall)
        .containsEntry("alt", "Image 2 of 2 in the comment by Ivy");
    for (Map<String, Object> thumb : shown) {
      assertThat(((Number) thumb.get("width")).doubleValue()).isLessThanOrEqualTo(100);
      assertThat(((Number) thumb.get("height")).doubleValue()).isLessThanOrEqualTo(100);
    }
    // Side by side, inside the item: nothing pushes the page wider than the window.
    assertThat(
            (Boolean)
                js(
                    driver,
                    "return document.documentElement.scrollWidth"
                        + " <= document.documentElement.clientWidth;"))
        .isTrue();
  }

  private static String upload(String session, int width, int height) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", png);
    Reply uploaded =
        api.sendBytes(
            "POST", "/api/v1/tenants/demo/media", session, "image/png", png.toByteArray());
    assertThat(uploaded.status()).as("%s", uploaded.json()).isEqualTo(201);
    return uploaded.json().get("mediaId").asText();
  }

  private static Reply postWithMedia(
      String thread, String session, String text, String... mediaIds) {
    Reply posted =
        api.send(
            "POST",
            "/api/v1/tenants/demo/threads/" + thread + "/comments",
            session,
            "{\"text\":"
                + ApiClient.quote(text)
                + ",\"media\":[\""
                + String.join("\",\"", mediaIds)
                + "\"]}");
    assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
    return posted;
  }

  @Test
  void next_then_reject_with_a_reason_leaves_the_others_and_focuses_the_next() throws Exception {
    String thread = thread();
    List<String> ids = pending(thread, "Bob", "Comment one", "Comment two", "Comment three");
    WebDriver driver = open("thread=" + thread, moderatorToken);
    waitForListed(driver, ids.reversed());
    press(driver, "j");
    assertThat(focused(driver)).isEqualTo(ids.get(1));
    press(driver, "e");
    driver.switchTo().activeElement().sendKeys("Off topic", Keys.ESCAPE);
    assertThat(focused(driver)).isEqualTo(ids.get(1));
    press(driver, "r");
    waitForText(driver, "Rejected: Comment two");
    waitForListed(driver, List.of(ids.get(2), ids.get(0)));
    assertThat(focused(driver)).isEqualTo(ids.get(0));
    press(driver, "k");
    assertThat(focused(driver)).isEqualTo(ids.get(2));

    // The rejection is recorded with its reason, and the queue no longer holds the comment.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<String> queued = new ArrayList<>();
              api.send("GET", QUEUE + "?thread=" + thread, moderatorToken, null)
                  .json()
                  .get("items")
                  .forEach(item -> queued.add(item.get("comment").get("id").asText()));
              assertThat(queued).containsExactlyInAnyOrder(ids.get(0), ids.get(2));
            });
    assertThat(publicPage(thread)).doesNotContain("Comment two");

    // The help lists the shortcuts.
    press(driver, "?");
    assertThat((Boolean) js(driver, "return document.querySelector('dialog').open && true;"))
        .isTrue();
    assertThat(pageText(driver)).contains("Keyboard shortcuts", "reject", "next comment");
  }

  @Test
  void remove_by_keyboard_then_restore_from_the_removed_tab_shows_it_to_readers() throws Exception {
    String thread = thread();
    List<String> ids = pending(thread, "Cy", "Removed, then restored");
    WebDriver driver = open("thread=" + thread, moderatorToken);
    waitForListed(driver, ids);
    press(driver, "x");
    waitForText(driver, "Removed: Removed, then restored");
    waitForListed(driver, List.of());

    // The tab reads this node's projection: wait until it holds the removal.
    await()
        .atMost(WAIT)
        .until(
            () ->
                api.send("GET", QUEUE + "?status=removed&thread=" + thread, moderatorToken, null)
                        .json()
                        .get("items")
                        .size()
                    == 1);
    driver.findElement(By.cssSelector("button[data-status=removed]")).click();
    waitForListed(driver, ids);
    press(driver, "a");
    waitForText(driver, "Restored: Removed, then restored");
    await().atMost(WAIT).until(() -> publicPage(thread).contains("Removed, then restored"));
  }

  @Test
  void a_new_pending_comment_appears_live_and_another_moderators_decision_takes_one_away()
      throws Exception {
    String thread = thread();
    List<String> ids = pending(thread, "Dee", "Already waiting");
    WebDriver driver = open("thread=" + thread, moderatorToken);
    waitForListed(driver, ids);
    // Gone if the page were loaded again: the list below changes without a reload.
    js(driver, "window.sameDocument = true;");

    String session = api.session("demo", "Eve");
    assertThat(api.post("demo", thread(), session, "Elsewhere", null).status()).isEqualTo(201);
    Reply posted = api.post("demo", thread, session, "Arrived live", null);
    assertThat(posted.status()).isEqualTo(201);
    String arrived = posted.json().get("commentId").asText();
    waitForListed(driver, List.of(arrived, ids.get(0)));
    waitForText(driver, "New in the queue: Arrived live");
    assertThat(focused(driver)).isEqualTo(ids.get(0));

    Reply approved =
        api.send(
            "POST",
            "/api/v1/tenants/demo/comments/" + ids.get(0) + "/moderation",
            node.adminKey(),
            "{\"action\":\"approve\"}");
    assertThat(approved.status()).isEqualTo(200);
    waitForListed(driver, List.of(arrived));
    assertThat(focused(driver)).isEqualTo(arrived);
    assertThat(js(driver, "return window.sameDocument === true;")).isEqualTo(true);
  }

  @Test
  void a_bad_token_shows_the_apis_error_message() throws Exception {
    String bad = "mod1.demo.nobody00.not-a-secret";
    Reply refused = api.send("GET", QUEUE, bad, null);
    assertThat(refused.status()).isEqualTo(401);
    String message = refused.json().get("error").get("message").asText();
    WebDriver driver = open("", bad);
    waitForText(driver, "That did not work: " + message);
    assertThat(listed(driver)).isEmpty();
    assertThat((String) js(driver, "return document.activeElement.id;")).isEqualTo("token");
  }

  @Test
  void no_serious_accessibility_violations_in_either_theme_and_screenshots() throws Exception {
    assumeTrue(
        Files.exists(Browsers.AXE), "axe-core is not installed (npm ci in src/test/browser)");
    String thread = "article-42";
    pending(
        thread,
        "Ada Lovelace",
        "The engine might compose elaborate pieces of music.",
        "Buy cheap watches at https://spam.example now!!!",
        "I disagree with the second paragraph, and here is why: the numbers do not add up.");
    Path shots = Path.of(System.getProperty("moderate.screenshots", "target/moderate-screenshots"));
    // With the page it was written on: its link is checked too.
    Reply onPage =
        api.send(
            "POST",
            "/api/v1/tenants/demo/threads/" + thread + "/comments",
            api.session("demo", "Grace Hopper"),
            "{\"text\":\"A bug in relay 70.\",\"page\":{\"url\":"
                + "\"https://news.example.com/article-42\",\"title\":\"Article 42\"}}");
    assertThat(onPage.status()).as(onPage.toString()).isEqualTo(201);
    // With an image: its thumbnail and link are checked too.
    String painter = api.session("demo", "Ada Lovelace");
    postWithMedia(thread, painter, "A drawing of the engine.", upload(painter, 120, 80));
    Files.createDirectories(shots);
    String axe = Files.readString(Browsers.AXE);
    for (String theme : List.of("light", "dark")) {
      WebDriver driver = open("thread=" + thread + "&theme=" + theme, moderatorToken);
      new WebDriverWait(driver, WAIT).until(d -> listed(d).size() == 5);
      js(driver, axe);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> violations =
          (List<Map<String, Object>>)
              ((JavascriptExecutor) driver)
                  .executeAsyncScript(
                      "const done = arguments[arguments.length - 1];"
                          + " axe.run(document, {resultTypes: ['violations']})"
                          + ".then(r => done(r.violations.filter(v => v.impact === 'serious'"
                          + " || v.impact === 'critical').map(v => ({id: v.id, impact: v.impact,"
                          + " nodes: v.nodes.map(n => n.html).slice(0, 3)}))));");
      assertThat(violations).as(theme).isEmpty();
      byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
      Files.write(shots.resolve("moderate-" + theme + ".png"), png);
    }
  }
}
