package dev.comments.infra.dev;

import static dev.comments.infra.Widget.HOST;
import static dev.comments.infra.Widget.WAIT;
import static dev.comments.infra.Widget.attributeOf;
import static dev.comments.infra.Widget.find;
import static dev.comments.infra.Widget.join;
import static dev.comments.infra.Widget.post;
import static dev.comments.infra.Widget.root;
import static dev.comments.infra.Widget.text;
import static dev.comments.infra.Widget.textOf;
import static dev.comments.infra.Widget.waitForText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.comments.infra.ApiClient;
import dev.comments.infra.Browsers;
import dev.comments.infra.Widget;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The widget in a real browser (Debian's Chromium, driven through its chromedriver) against a dev
 * node. Host pages come from a second small server on other origins: {@code http://localhost}
 * (allowed for tenant demo) and {@code http://127.0.0.2} (not allowed). Without Chromium the suite
 * is skipped, unless {@code COMMENTS_BROWSER_TESTS=required} (CI) makes that a failure.
 */
class WidgetIT {
  @TempDir static Path data;
  @TempDir static Path profiles;

  /** Tenant {@code held} holds every new comment for its moderators. */
  private static final String HELD_ADMIN_KEY = "held-tenant-admin-key-0123";

  private static DevNode node;
  private static ApiClient api;
  private static HttpServer allowedHost;
  private static HttpServer refusedHost;
  private static final Map<String, String> pages = new ConcurrentHashMap<>();
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
            "--comments.tenants.held.moderation.pre-moderation=all",
            "--comments.tenants.held.moderation.admin-key=" + HELD_ADMIN_KEY,
            "--comments.tenants.held.allowed-origins=http://localhost:*");
    api = new ApiClient(node.baseUrl());
    allowedHost = hostServer("127.0.0.1");
    refusedHost = hostServer("127.0.0.2");
  }

  @AfterAll
  static void stop() {
    if (allowedHost != null) {
      allowedHost.stop(0);
    }
    if (refusedHost != null) {
      refusedHost.stop(0);
    }
    if (node != null) {
      node.close();
    }
  }

  @BeforeEach
  void browsers() {
    browsers = new Browsers(profiles, 1000, 1200);
  }

  @AfterEach
  void closeBrowsers() {
    browsers.quitAll();
  }

  /** A plain page server: any path answers the page registered under it. */
  private static HttpServer hostServer(String address) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 16);
    server.createContext(
        "/",
        exchange -> {
          String page = pages.get(exchange.getRequestURI().getPath());
          byte[] body = (page == null ? "no such page" : page).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(page == null ? 404 : 200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return server;
  }

  /** A host page with the widget, under a strict policy; returns its path. */
  private static String page(String lang, String attributes) {
    return page(lang, attributes, "");
  }

  /** The same, its policy ending with {@code morePolicy} (e.g. {@code img-src …}). */
  private static String page(String lang, String attributes, String morePolicy) {
    String path = "/article-" + counter.incrementAndGet();
    String api = node.baseUrl();
    pages.put(
        path,
        """
        <!doctype html><html lang="%s"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; \
        script-src %s; connect-src %s %s; style-src 'none'%s">
        <title>Host page</title></head>
        <body><main><h1>An article</h1><p>Text of the article.</p>
        <div id="c" %s></div></main>
        <script src="%s/widget/v1/embed.js" async></script></body></html>
        """
            .formatted(
                lang, api, api, api.replace("http://", "ws://"), morePolicy, attributes, api));
    return path;
  }

  private static String allowed(String path) {
    return "http://localhost:" + allowedHost.getAddress().getPort() + path;
  }

  private static String thread() {
    return "widget-" + counter.incrementAndGet();
  }

  @Test
  void a_comment_from_one_reader_reaches_another_live_and_votes_follow_and_stay() throws Exception {
    String path =
        page("en", "data-comments-tenant=\"demo\" data-comments-thread=\"" + thread() + "\"");
    WebDriver ada = browsers.open();
    WebDriver bob = browsers.open();
    ada.get(allowed(path));
    bob.get(allowed(path));
    join(ada, "Ada");
    waitForText(bob, "No comments yet", WAIT);
    waitForText(bob, "Live", WAIT);

    post(ada, "Hello from Ada");
    WebElement news = find(bob, "button.pill");
    new WebDriverWait(bob, Duration.ofSeconds(2))
        .until(d -> news.isDisplayed() && news.getText().equals("1 new comment"));
    assertThat(text(bob)).doesNotContain("Hello from Ada");
    news.click();
    waitForText(bob, "Hello from Ada", WAIT);

    find(ada, "li button.up").click();
    new WebDriverWait(bob, WAIT).until(d -> "1".equals(textOf(d, "li button.up .n")));

    ada.navigate().refresh();
    new WebDriverWait(ada, WAIT)
        .until(d -> "true".equals(attributeOf(d, "li button.up", "aria-pressed")));
    assertThat(textOf(ada, "li button.up .n")).isEqualTo("1");
    assertThat(text(ada)).contains("Commenting as Ada");
  }

  @Test
  void a_reader_who_blocks_an_author_stops_seeing_them_and_the_block_survives_a_reload()
      throws Exception {
    String path =
        page("en", "data-comments-tenant=\"demo\" data-comments-thread=\"" + thread() + "\"");
    WebDriver ada = browsers.open();
    WebDriver bob = browsers.open();
    WebDriver carol = browsers.open();
    ada.get(allowed(path));
    join(ada, "Ada");
    post(ada, "Ada's first");
    bob.get(allowed(path));
    carol.get(allowed(path));
    join(bob, "Bob");
    waitForText(bob, "Ada's first", WAIT);
    waitForText(carol, "Live", WAIT);
    waitForText(bob, "Live", WAIT);

    find(bob, "li button.block").click();
    waitForText(bob, "Hidden: you blocked this person.", WAIT);
    assertThat(text(bob)).doesNotContain("Ada's first");

    post(ada, "Ada's second");
    // Carol, who blocked no one, is told of it live; Bob is sent nothing.
    WebElement news = find(carol, "button.pill");
    new WebDriverWait(carol, WAIT)
        .until(d -> news.isDisplayed() && news.getText().equals("1 new comment"));
    assertThat(text(bob)).doesNotContain("Ada's second").doesNotContain("new comment");

    bob.navigate().refresh();
    waitForText(bob, "Hidden: you blocked this person.", WAIT);
    assertThat(text(bob)).doesNotContain("Ada's first").doesNotContain("Ada's second");
  }

  @Test
  void a_held_post_says_it_waits_for_a_moderator_and_decisions_reach_readers_live()
      throws Exception {
    String thread = thread();
    String path =
        page("en", "data-comments-tenant=\"held\" data-comments-thread=\"" + thread + "\"");
    WebDriver ada = browsers.open();
    WebDriver bob = browsers.open();
    ada.get(allowed(path));
    bob.get(allowed(path));
    join(ada, "Ada");
    waitForText(bob, "Live", WAIT);

    find(ada, "textarea").sendKeys("Waiting for a moderator");
    find(ada, "form button.primary").click();
    waitForText(ada, "your comment will appear once a moderator approves it", WAIT);
    assertThat(text(ada)).doesNotContain("Waiting for a moderator");
    String id = heldComment(thread);
    // The post named its host page, which the moderators' queue shows beside the thread id.
    JsonNode page = heldItem(thread).get("page");
    assertThat(page.get("url").asText()).isEqualTo(allowed(path));
    assertThat(page.get("title").asText()).isEqualTo("Host page");

    // Approved: the writer sees it at once, another reader behind "1 new comment".
    moderate(id, "approve");
    waitForText(ada, "Waiting for a moderator", WAIT);
    WebElement news = find(bob, "button.pill");
    new WebDriverWait(bob, WAIT)
        .until(d -> news.isDisplayed() && news.getText().equals("1 new comment"));
    news.click();
    waitForText(bob, "Waiting for a moderator", WAIT);

    // Removed: both keep its place without its text, and so does a fresh load.
    moderate(id, "remove");
    waitForText(ada, "A moderator removed this comment.", WAIT);
    waitForText(bob, "A moderator removed this comment.", WAIT);
    assertThat(text(bob)).doesNotContain("Waiting for a moderator");
    bob.navigate().refresh();
    waitForText(bob, "A moderator removed this comment.", WAIT);
    assertThat(text(bob)).doesNotContain("Waiting for a moderator");
  }

  /** The one comment of the thread in tenant held's moderation queue, once this node lists it. */
  private static String heldComment(String thread) {
    return heldItem(thread).get("comment").get("id").asText();
  }

  /** The one item of the thread in tenant held's moderation queue, once this node lists it. */
  private static JsonNode heldItem(String thread) {
    String queue = "/api/v1/tenants/held/moderation/queue?status=pending&thread=" + thread;
    JsonNode items =
        await()
            .atMost(WAIT)
            .until(
                () -> api.send("GET", queue, HELD_ADMIN_KEY, null).json().get("items"),
                found -> found.size() == 1);
    return items.get(0);
  }

  private static void moderate(String commentId, String action) {
    ApiClient.Reply reply =
        api.send(
            "POST",
            "/api/v1/tenants/held/comments/" + commentId + "/moderation",
            HELD_ADMIN_KEY,
            "{\"action\":\"" + action + "\"}");
    assertThat(reply.status()).as("%s", reply.json()).isEqualTo(200);
  }

  @Test
  void the_demo_article_of_the_node_shows_the_widget_live_under_its_strict_policy()
      throws Exception {
    WebDriver driver = browsers.open();
    driver.get(node.baseUrl() + "/");
    waitForText(driver, "Live", WAIT);
    JavascriptExecutor js = (JavascriptExecutor) driver;
    String inWidget = "const r = document.querySelector('#comments').shadowRoot;";
    js.executeScript(
        inWidget
            + " r.querySelector('input#name').value = 'Demo';"
            + " r.querySelector('form button.primary').click();");
    waitForText(driver, "Commenting as Demo", WAIT);
    js.executeScript(
        inWidget
            + " const a = r.querySelector('textarea'); a.value = 'Written on the demo page';"
            + " a.dispatchEvent(new Event('input')); r.querySelector('form button.primary').click();");
    waitForText(driver, "Written on the demo page", WAIT);
  }

  @Test
  void a_comment_shows_its_image_lazily_at_its_size_with_alt_text() throws Exception {
    String thread = thread();
    String token = api.session("demo", "Painter");
    java.awt.image.BufferedImage image =
        new java.awt.image.BufferedImage(48, 24, java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(image, "png", png);
    String mediaId =
        api.sendBytes("POST", "/api/v1/tenants/demo/media", token, "image/png", png.toByteArray())
            .json()
            .get("mediaId")
            .asText();
    ApiClient.Reply posted =
        api.send(
            "POST",
            "/api/v1/tenants/demo/threads/" + thread + "/comments",
            token,
            "{\"text\":\"A picture\",\"media\":[" + ApiClient.quote(mediaId) + "]}");
    assertThat(posted.status()).as(posted.json().toString()).isEqualTo(201);
    WebDriver reader = browsers.open();

    reader.get(
        allowed(
            page(
                "en",
                "data-comments-tenant=\"demo\" data-comments-thread=\"" + thread + "\"",
                "; img-src " + node.baseUrl())));

    waitForText(reader, "A picture", WAIT);
    new WebDriverWait(reader, WAIT)
        .until(
            d ->
                Boolean.TRUE.equals(
                    Widget.script(
                        d,
                        "const r = document.querySelector(arguments[0]).shadowRoot;"
                            + " const i = r && r.querySelector('.media img');"
                            + " return !!i && i.complete && i.naturalWidth === 48;",
                        HOST)));
    assertThat(attributeOf(reader, ".media img", "src"))
        .isEqualTo(node.baseUrl() + "/cdn/v1/demo/" + mediaId);
    assertThat(attributeOf(reader, ".media img", "loading")).isEqualTo("lazy");
    assertThat(attributeOf(reader, ".media img", "width")).isEqualTo("48");
    assertThat(attributeOf(reader, ".media img", "height")).isEqualTo("24");
    assertThat(attributeOf(reader, ".media img", "alt"))
        .isEqualTo("Image 1 of 1 in the comment by Painter");
  }

  @Test
  void a_writer_attaches_an_image_and_it_shows_under_the_comment() throws Exception {
    String thread = thread();
    java.awt.image.BufferedImage image =
        new java.awt.image.BufferedImage(30, 20, java.awt.image.BufferedImage.TYPE_INT_RGB);
    Path file = Files.createTempFile(data, "attached", ".png");
    javax.imageio.ImageIO.write(image, "png", file.toFile());
    WebDriver writer = browsers.open();
    writer.get(
        allowed(
            page(
                "en",
                "data-comments-tenant=\"demo\" data-comments-thread=\"" + thread + "\"",
                "; img-src " + node.baseUrl())));
    join(writer, "Sketcher");

    find(writer, "input[type=file]").sendKeys(file.toString());
    post(writer, "Here is my sketch");

    new WebDriverWait(writer, WAIT).until(d -> attributeOf(d, ".media img", "src") != null);
    assertThat(attributeOf(writer, ".media img", "width")).isEqualTo("30");
    JsonNode comment =
        api.thread("demo", thread, "readPreference=primary", null).json().get("comments").get(0);
    assertThat(comment.get("media")).hasSize(1);
    assertThat(comment.get("media").get(0).get("width").asInt()).isEqualTo(30);
  }

  @Test
  void markup_in_a_comment_shows_as_text_and_runs_nothing() throws Exception {
    String thread = thread();
    String token = api.session("demo", "Mallory");
    api.post(
        "demo", thread, token, "<img src=x onerror=alert(1)> see https://example.com/a?b=1.", null);
    WebDriver reader = browsers.open();
    reader.get(
        allowed(
            page("en", "data-comments-tenant=\"demo\" data-comments-thread=\"" + thread + "\"")));
    waitForText(reader, "<img src=x onerror=alert(1)>", WAIT);
    assertThat(root(reader).findElements(By.cssSelector("img"))).isEmpty();
    WebElement link = find(reader, ".text a");
    assertThat(link.getAttribute("href")).isEqualTo("https://example.com/a?b=1");
    assertThat(link.getAttribute("rel")).isEqualTo("nofollow ugc noopener noreferrer");
    Thread.sleep(500);
    try {
      reader.switchTo().alert();
      throw new AssertionError("a dialog opened");
    } catch (NoAlertPresentException expected) {
      // No script of the comment ran.
    }
  }

  @Test
  void a_page_of_an_origin_the_tenant_does_not_allow_is_refused_and_says_so() throws Exception {
    WebDriver reader = browsers.open();
    reader.get(
        "http://127.0.0.2:"
            + refusedHost.getAddress().getPort()
            + page(
                "en", "data-comments-tenant=\"demo\" data-comments-thread=\"" + thread() + "\""));
    waitForText(reader, "may not show these comments", WAIT);
  }

  @Test
  void a_visitor_posts_and_cancels_a_reply_with_the_keyboard_alone() throws Exception {
    WebDriver driver = browsers.open();
    driver.get(
        allowed(
            page("en", "data-comments-tenant=\"demo\" data-comments-thread=\"" + thread() + "\"")));
    find(driver, "input#name");
    Actions keys = new Actions(driver);
    for (int i = 0; i < 10 && !"name".equals(focusedId(driver)); i++) {
      keys.sendKeys(Keys.TAB).perform();
    }
    assertThat(focusedId(driver)).isEqualTo("name");
    keys.sendKeys("Kim").sendKeys(Keys.ENTER).perform();
    new WebDriverWait(driver, WAIT).until(d -> "TEXTAREA".equals(focusedTag(d)));
    keys.sendKeys("Typed, never clicked").sendKeys(Keys.TAB).perform();
    assertThat(focusedTag(driver)).isEqualTo("BUTTON");
    keys.sendKeys(Keys.ENTER).perform();
    waitForText(driver, "Typed, never clicked", WAIT);

    WebElement reply = find(driver, "li button.reply");
    ((JavascriptExecutor) driver).executeScript("arguments[0].focus()", reply);
    keys.sendKeys(Keys.ENTER).perform();
    new WebDriverWait(driver, WAIT).until(d -> "TEXTAREA".equals(focusedTag(d)));
    keys.sendKeys(Keys.ESCAPE).perform();
    new WebDriverWait(driver, WAIT)
        .until(
            d ->
                "reply".equals(focusedClass(d))
                    && root(d).findElements(By.cssSelector("li form")).isEmpty());
  }

  private static String focusedId(WebDriver driver) {
    return (String) focused(driver, "id");
  }

  private static String focusedTag(WebDriver driver) {
    return (String) focused(driver, "tagName");
  }

  private static String focusedClass(WebDriver driver) {
    return (String) focused(driver, "className");
  }

  private static Object focused(WebDriver driver, String property) {
    return ((JavascriptExecutor) driver)
        .executeScript(
            "const a = document.querySelector('"
                + HOST
                + "').shadowRoot.activeElement;"
                + " return a ? a[arguments[0]] : null;",
            property);
  }

  @Test
  void text_over_ten_thousand_code_points_is_stopped_before_sending() throws Exception {
    WebDriver driver = browsers.open();
    driver.get(
        allowed(
            page("en", "data-comments-tenant=\"demo\" data-comments-thread=\"" + thread() + "\"")));
    join(driver, "Long");
    WebElement area = find(driver, "textarea");
    // 10,001 code points, each a surrogate pair: code units would count twice as many.
    ((JavascriptExecutor) driver)
        .executeScript(
            "arguments[0].value = '😀'.repeat(10001);"
                + " arguments[0].dispatchEvent(new Event('input'));",
            area);
    assertThat(find(driver, ".count").getText())
        .contains("10,001 / 10,000")
        .contains("Too long by 1");
    assertThat(find(driver, "form button.primary").isEnabled()).isFalse();
    ((JavascriptExecutor) driver)
        .executeScript(
            "arguments[0].value = '😀'.repeat(10000);"
                + " arguments[0].dispatchEvent(new Event('input'));",
            area);
    assertThat(find(driver, "form button.primary").isEnabled()).isTrue();
  }

  @Test
  void bad_attributes_a_locked_thread_and_an_unreachable_server_show_what_is_wrong()
      throws Exception {
    WebDriver driver = browsers.open();
    driver.get(allowed(page("en", "data-comments-thread=\"x\"")));
    waitForText(driver, "data-comments-tenant is missing", WAIT);
    driver.get(allowed(page("en", "data-comments-tenant=\"demo\" data-comments-colour=\"red\"")));
    waitForText(driver, "unknown attribute data-comments-colour", WAIT);
    driver.get(allowed(page("en", "data-comments-tenant=\"demo\" data-comments-theme=\"pink\"")));
    waitForText(driver, "data-comments-theme must be one of light, dark, auto", WAIT);
    driver.get(allowed(page("en", "data-comments-tenant=\"nobody\" data-comments-thread=\"t\"")));
    waitForText(driver, "Unknown comments tenant \"nobody\"", WAIT);

    int closed;
    try (var socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    driver.get(
        allowed(
            page(
                "en",
                "data-comments-tenant=\"demo\" data-comments-server=\"http://127.0.0.1:"
                    + closed
                    + "\"")));
    waitForText(driver, "Cannot reach the comments server", WAIT);

    String thread = thread();
    String token = api.session("demo", "Mod");
    api.post("demo", thread, token, "Before the lock", null);
    driver.get(
        allowed(
            page("en", "data-comments-tenant=\"demo\" data-comments-thread=\"" + thread + "\"")));
    waitForText(driver, "Live", WAIT);
    api.send("POST", "/api/v1/tenants/demo/threads/" + thread + "/lock", node.adminKey(), null);
    waitForText(driver, "This thread is locked", WAIT);
  }

  @Test
  void a_thread_locked_before_the_page_loads_shows_as_locked_at_once_without_a_composer()
      throws Exception {
    String thread = thread();
    String token = api.session("demo", "Early");
    api.post("demo", thread, token, "Said before the lock", null);
    assertThat(
            api.send(
                    "POST",
                    "/api/v1/tenants/demo/threads/" + thread + "/lock",
                    node.adminKey(),
                    null)
                .status())
        .isEqualTo(200);
    WebDriver driver = browsers.open();
    driver.get(
        allowed(
            page("en", "data-comments-tenant=\"demo\" data-comments-thread=\"" + thread + "\"")));
    // Live means subscribed from the page's position: no live message replays the earlier lock,
    // so only the page can have said it.
    waitForText(driver, "Live", WAIT);
    assertThat(text(driver)).contains("This thread is locked", "Said before the lock");
    Object composerShown =
        Widget.script(
            driver,
            "const r = document.querySelector('#c').shadowRoot;"
                + " return Array.from(r.querySelectorAll('textarea, input#name'))"
                + ".some(e => e.getClientRects().length > 0);");
    assertThat(composerShown).isEqualTo(false);
    assertThat(root(driver).findElements(By.cssSelector("li button.reply"))).isEmpty();
  }

  @Test
  void without_a_thread_attribute_a_japanese_url_maps_to_one_short_thread_id() throws Exception {
    String path = page("ja", "data-comments-tenant=\"demo\"");
    pages.put("/記事/こんにちは", pages.get(path));
    WebDriver driver = browsers.open();
    driver.get(allowed("/記事/こんにちは?utm=x#top"));
    waitForText(driver, "まだコメントはありません", WAIT);
    String expected =
        (String)
            ((JavascriptExecutor) driver)
                .executeScript(
                    "return CommentsWidget.threadOfUrl(location.origin + location.pathname)");
    assertThat(expected).matches("url-[0-9a-f]{32}");
    join(driver, "花子");
    post(driver, "日本語のコメント");
    assertThat(api.thread("demo", expected, null, null).json().toString()).contains("日本語のコメント");
  }

  @Test
  void no_serious_accessibility_violations_in_either_theme_and_screenshots() throws Exception {
    assumeTrue(
        Files.exists(Browsers.AXE), "axe-core is not installed (npm ci in src/test/browser)");
    String thread = thread();
    String token = api.session("demo", "Ada Lovelace");
    String first =
        api.post("demo", thread, token, "The engine might compose elaborate pieces of music.", null)
            .json()
            .get("commentId")
            .asText();
    String other = api.session("demo", "Charles");
    api.post("demo", thread, other, "Agreed — see https://example.com/notes for the notes.", first);
    api.post("demo", thread, other, "A second thought, further down the page.", null);
    Path shots = Path.of(System.getProperty("widget.screenshots", "target/widget-screenshots"));
    Files.createDirectories(shots);
    String axe = Files.readString(Browsers.AXE);
    for (String[] variant :
        new String[][] {
          {"light", "en", "light", "1000"},
          {"dark", "en", "dark", "1000"},
          {"japanese", "ja", "light", "1000"},
          {"mobile", "en", "auto", "390"}
        }) {
      WebDriver driver = browsers.open();
      driver.manage().window().setSize(new Dimension(Integer.parseInt(variant[3]), 1100));
      driver.get(
          allowed(
              page(
                  variant[1],
                  "data-comments-tenant=\"demo\" data-comments-thread=\""
                      + thread
                      + "\" data-comments-theme=\""
                      + variant[2]
                      + "\"")));
      waitForText(driver, "A second thought", WAIT);
      JavascriptExecutor js = (JavascriptExecutor) driver;
      js.executeScript(axe);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> violations =
          (List<Map<String, Object>>)
              js.executeAsyncScript(
                  "const done = arguments[arguments.length - 1];"
                      + " axe.run(document, {resultTypes: ['violations']})"
                      + ".then(r => done(r.violations.filter(v => v.impact === 'serious'"
                      + " || v.impact === 'critical').map(v => ({id: v.id, impact: v.impact,"
                      + " nodes: v.nodes.map(n => n.html).slice(0, 3)}))));");
      assertThat(violations).as(variant[0]).isEmpty();
      byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
      Files.write(shots.resolve("widget-" + variant[0] + ".png"), png);
      browsers.quit(driver);
    }
  }
}
