package dev.comments.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the browser suites: Debian's {@code chromium} driven through Debian's
 * {@code chromedriver}. Selenium is given both paths, so it never downloads a browser or a driver.
 * Each browser gets its own profile (its own storage) under {@code profiles}; {@link #quitAll()}
 * ends every one still open.
 */
public final class Browsers implements AutoCloseable {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** axe-core, installed by {@code npm ci} in {@code src/test/browser}. */
  public static final Path AXE = Path.of("src/test/browser/node_modules/axe-core/axe.min.js");

  private final Path profiles;
  private final String windowSize;
  private final List<WebDriver> open = new ArrayList<>();

  /**
   * @param profiles where each browser's profile directory is made
   * @param width the window's width in CSS pixels
   * @param height the window's height
   */
  public Browsers(Path profiles, int width, int height) {
    this.profiles = profiles;
    this.windowSize = width + "," + height;
  }

  /**
   * Skips the calling suite when Chromium or its driver is missing, unless {@code
   * COMMENTS_BROWSER_TESTS=required} (CI), which makes that, or a missing axe-core, a failure.
   */
  public static void assumeInstalled() {
    boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if ("required".equals(System.getenv("COMMENTS_BROWSER_TESTS"))) {
      assertThat(browser).as("Chromium and chromedriver under /usr/bin").isTrue();
      assertThat(AXE).as("axe-core installed with npm ci").exists();
    }
    assumeTrue(browser, "Debian's chromium and chromium-driver are not installed");
  }

  /** A new browser with a fresh profile. */
  public WebDriver open() throws IOException {
    return open(options -> {});
  }

  /** A new browser with a fresh profile and the caller's further options. */
  public WebDriver open(Consumer<ChromeOptions> more) throws IOException {
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
        "--window-size=" + windowSize,
        "--user-data-dir=" + Files.createTempDirectory(profiles, "profile"));
    more.accept(options);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    WebDriver driver = new ChromeDriver(service, options);
    open.add(driver);
    return driver;
  }

  /** Ends one browser before the others, e.g. to keep few open at once. */
  public void quit(WebDriver driver) {
    driver.quit();
    open.remove(driver);
  }

  /** Ends every browser still open. */
  public void quitAll() {
    open.forEach(WebDriver::quit);
    open.clear();
  }

  @Override
  public void close() {
    quitAll();
  }
}
