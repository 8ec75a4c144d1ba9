package dev.comments.infra.cluster;

import static dev.comments.infra.Widget.WAIT;
import static dev.comments.infra.Widget.find;
import static dev.comments.infra.Widget.join;
import static dev.comments.infra.Widget.post;
import static dev.comments.infra.Widget.script;
import static dev.comments.infra.Widget.text;
import static dev.comments.infra.Widget.waitForText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.infra.Browsers;
import dev.comments.infra.Widget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The widget on a local cluster in two real browsers: Ada reads the demo article of the primary
 * (us-west), Bob that of the replica in eu-central, behind the simulated WAN latency (by distance:
 * 72 ms one way). Each page is served by its own node and talks only to it.
 */
class WidgetClusterIT {
  /** Across the WAN a message takes the proxy's delay twice, plus the shared machine's mood. */
  private static final Duration ACROSS = Duration.ofSeconds(10);

  /**
   * Records, in the page before any of its scripts run, each read the widget makes: the token it
   * sent and what the node said of it. Injected through the DevTools protocol, which the page's
   * Content-Security-Policy does not govern.
   */
  private static final String RECORD_READS =
      """
      (() => {
        const real = window.fetch;
        window.__reads = [];
        window.fetch = function (url, init) {
          const sent = (init && init.headers) || {};
          return real.apply(this, arguments).then(r => {
            if (String(url).includes('/comments?')) {
              window.__reads.push({
                token: sent['X-Consistency-Token'] || null,
                consistency: r.headers.get('X-Consistency'),
                forwardedTo: r.headers.get('X-Forwarded-To')
              });
            }
            return r;
          });
        };
      })();
      """;

  /** Finds, in the widget's shadow root, the comment ({@code li}) whose text is arguments[1]. */
  private static final String COMMENT =
      "const r = document.querySelector(arguments[0]).shadowRoot;"
          + " const li = Array.from(r.querySelectorAll('li'))"
          + ".find(l => l.querySelector('.text')?.textContent === arguments[1]);";

  @TempDir static Path profiles;
  private static TestCluster cluster;
  private static Browsers browsers;
  private static String usWest;
  private static String euCentral;

  @BeforeAll
  static void start() throws Exception {
    Browsers.assumeInstalled();
    cluster = TestCluster.start("us-west,eu-central", "auto");
    usWest = cluster.inRegion("us-west").path("http").asText();
    euCentral = cluster.inRegion("eu-central").path("http").asText();
    browsers = new Browsers(profiles, 1000, 1200);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browsers != null) {
      browsers.quitAll();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void
      readers_on_two_continents_see_each_others_comments_and_votes_and_keep_their_writes_and_blocks()
          throws Exception {
    WebDriver ada = browsers.open();
    WebDriver bob = browsers.open();
    ((ChromeDriver) bob)
        .executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", RECORD_READS));
    ada.get(usWest + "/");
    bob.get(euCentral + "/");
    waitForText(ada, "Live", WAIT);
    waitForText(bob, "Live", WAIT);
    join(ada, "Ada");
    join(bob, "Bob");

    post(ada, "Hello from Oregon");
    WebElement news = find(bob, "button.pill");
    new WebDriverWait(bob, ACROSS)
        .until(d -> news.isDisplayed() && news.getText().equals("1 new comment"));
    assertThat(text(bob)).doesNotContain("Hello from Oregon");
    news.click();
    waitForText(bob, "Hello from Oregon", WAIT);

    post(bob, "Hallo aus Frankfurt");
    WebElement adasNews = find(ada, "button.pill");
    new WebDriverWait(ada, ACROSS)
        .until(d -> adasNews.isDisplayed() && adasNews.getText().equals("1 new comment"));
    adasNews.click();
    waitForText(ada, "Hallo aus Frankfurt", WAIT);

    // Votes cross both ways: each through the other's node.
    voteUp(bob, "Hello from Oregon");
    voteUp(ada, "Hallo aus Frankfurt");
    new WebDriverWait(ada, ACROSS).until(d -> "1".equals(upVotes(d, "Hello from Oregon")));
    new WebDriverWait(bob, ACROSS).until(d -> "1".equals(upVotes(d, "Hallo aus Frankfurt")));

    // Bob's write goes through the replica to the primary; a reload at once reads it back from
    // the replica, which waits for its consistency token rather than answer without it.
    post(bob, "Read back at once");
    bob.navigate().refresh();
    waitForText(bob, "Read back at once", WAIT);
    assertThat(text(bob)).contains("Commenting as Bob");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> reads = (List<Map<String, Object>>) script(bob, "return __reads;");
    assertThat(reads).isNotEmpty();
    Map<String, Object> firstRead = reads.getFirst();
    assertThat(firstRead.get("token")).as("%s", reads).isNotNull();
    assertThat(
            "reached".equals(firstRead.get("consistency")) || firstRead.get("forwardedTo") != null)
        .as("the replica proved the read holds the write: %s", reads)
        .isTrue();
    assertThat(upVotes(bob, "Hallo aus Frankfurt")).isEqualTo("1");

    // Bob blocks Ada on the replica; the block (a record every node reads) survives his reload
    // there, and Ada's vote survives hers on the primary.
    click(bob, "Hello from Oregon", "button.block");
    waitForText(bob, "Hidden: you blocked this person.", WAIT);
    assertThat(text(bob)).doesNotContain("Hello from Oregon");
    bob.navigate().refresh();
    waitForText(bob, "Hallo aus Frankfurt", WAIT);
    waitForText(bob, "Hidden: you blocked this person.", WAIT);
    assertThat(text(bob)).doesNotContain("Hello from Oregon");
    ada.navigate().refresh();
    new WebDriverWait(ada, WAIT)
        .until(
            d -> "true".equals(inComment(d, "Hallo aus Frankfurt", "button.up", "aria-pressed")));
    assertThat(upVotes(ada, "Hallo aus Frankfurt")).isEqualTo("1");
  }

  private static void voteUp(WebDriver driver, String commentText) {
    click(driver, commentText, "button.up");
  }

  private static String upVotes(WebDriver driver, String commentText) {
    return (String)
        script(
            driver,
            COMMENT + " return li ? li.querySelector('button.up .n').textContent : null;",
            Widget.HOST,
            commentText);
  }

  private static void click(WebDriver driver, String commentText, String button) {
    script(
        driver,
        COMMENT + " li.querySelector(arguments[2]).click();",
        Widget.HOST,
        commentText,
        button);
  }

  private static String inComment(
      WebDriver driver, String commentText, String element, String attribute) {
    return (String)
        script(
            driver,
            COMMENT
                + " const e = li && li.querySelector(arguments[2]);"
                + " return e ? e.getAttribute(arguments[3]) : null;",
            Widget.HOST,
            commentText,
            element,
            attribute);
  }
}
