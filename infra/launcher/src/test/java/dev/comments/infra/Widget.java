package dev.comments.infra;

import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The embeddable widget as a reader's browser shows it: reads go through the page's script, so a
 * re-rendered element is never a stale reference. The widget's element is {@code #c} on the test
 * suites' host pages and {@code #comments} on a node's demo article.
 */
public final class Widget {
  /** The widget's element on any page the suites open. */
  public static final String HOST = "#c, #comments";

  public static final Duration WAIT = Duration.ofSeconds(15);

  private Widget() {}

  /** The widget's open shadow root, once it has one. */
  public static SearchContext root(WebDriver driver) {
    return new WebDriverWait(driver, WAIT)
        .until(d -> d.findElement(By.cssSelector(HOST)).getShadowRoot());
  }

  /** The first element in the widget that {@code css} matches, once there is one. */
  public static WebElement find(WebDriver driver, String css) {
    return new WebDriverWait(driver, WAIT)
        .ignoring(NoSuchElementException.class)
        .until(d -> root(d).findElement(By.cssSelector(css)));
  }

  /** Everything the widget shows, as text. */
  public static String text(WebDriver driver) {
    return (String)
        script(
            driver,
            "const r = document.querySelector(arguments[0]).shadowRoot;"
                + " return r ? r.querySelector('section').innerText : '';",
            HOST);
  }

  /** The text of the first element {@code css} matches, or null. */
  public static String textOf(WebDriver driver, String css) {
    return (String)
        script(
            driver,
            "const r = document.querySelector(arguments[0]).shadowRoot;"
                + " const e = r && r.querySelector(arguments[1]);"
                + " return e ? e.textContent : null;",
            HOST,
            css);
  }

  /** An attribute of the first element {@code css} matches, or null. */
  public static String attributeOf(WebDriver driver, String css, String name) {
    return (String)
        script(
            driver,
            "const r = document.querySelector(arguments[0]).shadowRoot;"
                + " const e = r && r.querySelector(arguments[1]);"
                + " return e ? e.getAttribute(arguments[2]) : null;",
            HOST,
            css,
            name);
  }

  public static void waitForText(WebDriver driver, String text, Duration within) {
    new WebDriverWait(driver, within)
        .withMessage(() -> "\"" + text + "\" in the widget, which shows: " + text(driver))
        .until(d -> text(d).contains(text));
  }

  /** Chooses a display name, which opens a session, and waits for the composer. */
  public static void join(WebDriver driver, String name) {
    find(driver, "input#name").sendKeys(name, Keys.ENTER);
    find(driver, "textarea");
  }

  /** Posts a top-level comment and waits until the widget shows it. */
  public static void post(WebDriver driver, String text) {
    find(driver, "textarea").sendKeys(text);
    find(driver, "form button.primary").click();
    waitForText(driver, text, WAIT);
  }

  public static Object script(WebDriver driver, String script, Object... arguments) {
    return ((JavascriptExecutor) driver).executeScript(script, arguments);
  }
}
