package dev.comments.infra.dev;

import dev.comments.infra.ApiClient;
import dev.comments.infra.kafka.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code comments dev} as its own OS process, the way a user runs it, so that tests can stop it
 * with SIGTERM or kill it with SIGKILL and start it again on the same data directory.
 */
final class DevProcess implements AutoCloseable {
  private static final Pattern KAFKA = Pattern.compile("kafka: (\\S+)");

  private final Process process;
  private final Path log;
  private final int httpPort;
  private final int dnsPort;

  private final int httpsPort;

  private DevProcess(Process process, Path log, int httpPort, int httpsPort, int dnsPort) {
    this.httpsPort = httpsPort;
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
    this.dnsPort = dnsPort;
  }

  static DevProcess start(Path dataDir, String... settings) throws IOException {
    return start(dataDir, freePort(), settings);
  }

  /** On a given HTTP port: a restarted node comes back where its clients look for it. */
  static DevProcess start(Path dataDir, int port, String... settings) throws IOException {
    // Never the default 5353: someone's own dev node may hold it.
    int dnsPort = dev.comments.infra.FreePorts.forDns();
    // Never the default 8443 either, for the same reason.
    int httpsPort = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx512m",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path")));
    command.addAll(
        List.of(
            "dev.comments.infra.Launcher",
            "dev",
            "--http-port",
            String.valueOf(port),
            "--https-port",
            String.valueOf(httpsPort),
            "--dns-port",
            String.valueOf(dnsPort),
            "--data-dir",
            dataDir.toString()));
    command.addAll(List.of(settings));
    Path log = Files.createTempFile(dataDir.getParent(), "dev-node-", ".log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    DevProcess dev = new DevProcess(process, log, port, httpsPort, dnsPort);
    dev.awaitReady(Duration.ofMinutes(2));
    return dev;
  }

  int dnsPort() {
    return dnsPort;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  String httpsUrl() {
    return "https://127.0.0.1:" + httpsPort;
  }

  ApiClient api() {
    return new ApiClient(baseUrl());
  }

  long pid() {
    return process.pid();
  }

  /** The Kafka broker's address, as the banner printed it. */
  String kafkaBootstrapServers() throws IOException {
    // The banner follows readiness by a moment: the DNS server starts after the edge listens.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Matcher m = KAFKA.matcher(output());
      if (m.find()) {
        return m.group(1);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no kafka address in the banner:\n" + output());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }

  List<ProcessHandle> descendants() {
    return process.descendants().toList();
  }

  /** SIGTERM, as Ctrl-C or a service manager would. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("the dev node did not stop within 60 s of SIGTERM");
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook runs. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /**
   * Kills the node if it still runs, then waits for its children (the broker stops by itself when
   * the node dies, writing its logs as it goes), so that the data directory can be deleted.
   */
  @Override
  public void close() {
    List<ProcessHandle> children = descendants();
    try {
      if (process.isAlive()) {
        kill();
      }
      for (ProcessHandle child : children) {
        child.onExit().get(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("a child of the dev node did not stop within 30 s", e);
    }
  }

  private void awaitReady(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ApiClient api = api();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the dev node exited:\n" + output());
      }
      try {
        if (api.send("GET", "/health/ready", null, null).status() == 200) {
          return;
        }
      } catch (RuntimeException notYet) {
        // Not listening yet.
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException(
        "the dev node was not ready within " + timeout + ":\n" + output());
  }

  static int freePort() throws IOException {
    return KafkaBroker.freePort();
  }
}
