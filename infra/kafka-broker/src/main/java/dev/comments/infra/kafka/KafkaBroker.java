package dev.comments.infra.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka broker (KRaft, broker and controller in one node) in a child JVM, run from the Kafka
 * jars resolved from Maven Central at build time. It keeps its log under a data directory, so a
 * broker started again on the same directory has every record it had; it stops when {@link
 * #close()} is called or when this JVM dies.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private static final String CLASSPATH_RESOURCE = "broker.classpath";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Process process;
  private final OutputStream lifeline;
  private final String bootstrapServers;
  private final Path logFile;

  private KafkaBroker(Process process, String bootstrapServers, Path logFile) {
    this.process = process;
    this.lifeline = process.getOutputStream();
    this.bootstrapServers = bootstrapServers;
    this.logFile = logFile;
  }

  /**
   * A further listener: bound on loopback at {@code port}, advertised to clients as {@code
   * advertisedHost:advertisedPort}. It lets clients reach the broker through something in between
   * (a proxy that delays traffic like a WAN link) and still be told, in the metadata, to come back
   * through it rather than to the bound port. name: [A-Z][A-Z0-9_]*, not PLAINTEXT or CONTROLLER.
   */
  public record Listener(String name, int port, String advertisedHost, int advertisedPort) {
    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

    public Listener {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(advertisedHost, "advertisedHost");
      if (!NAME.matcher(name).matches() || name.equals("PLAINTEXT") || name.equals("CONTROLLER")) {
        throw new IllegalArgumentException(
            "a listener name is [A-Z][A-Z0-9_]* and not PLAINTEXT or CONTROLLER: " + name);
      }
      if (advertisedHost.isBlank() || advertisedHost.contains(":")) {
        throw new IllegalArgumentException("not a host name or IPv4 address: " + advertisedHost);
      }
      checkPort(port);
      checkPort(advertisedPort);
    }

    private static void checkPort(int port) {
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("not a port: " + port);
      }
    }
  }

  /** Starts a broker on free loopback ports, keeping its data under {@code dataDir}. */
  public static KafkaBroker start(Path dataDir) throws IOException {
    return start(dataDir, freePort());
  }

  /** Starts a broker on {@code port} (and a free controller port), data under {@code dataDir}. */
  public static KafkaBroker start(Path dataDir, int port) throws IOException {
    return start(dataDir, port, List.of());
  }

  /**
   * Starts a broker on {@code port} (and a free controller port), data under {@code dataDir}, with
   * {@code extra} listeners besides. The broker's own traffic stays on PLAINTEXT; {@link
   * #bootstrapServers()} names it. The listeners may differ from one start to the next.
   */
  public static KafkaBroker start(Path dataDir, int port, List<Listener> extra) throws IOException {
    checkDistinct(port, extra);
    Path dir = Files.createDirectories(dataDir.toAbsolutePath());
    Path logDir = dir.resolve("log");
    Path properties = dir.resolve("server.properties");
    Path logFile = dir.resolve("broker.log");
    String host = InetAddress.getLoopbackAddress().getHostAddress();
    writeServerProperties(properties, logDir, host, port, freePort(), extra);
    writeLogConfig(dir.resolve("log4j2.properties"));

    String classpath = classpath();
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(dir, classpath, properties, logFile);
    }
    Process process =
        new ProcessBuilder(
                javaCommand(dir, classpath, KafkaBrokerMain.class.getName(), properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    KafkaBroker broker = new KafkaBroker(process, host + ":" + port, logFile);
    try {
      broker.awaitReady();
    } catch (IOException | RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public long pid() {
    return process.pid();
  }

  public Path logFile() {
    return logFile;
  }

  /** Stops the broker gracefully, forcibly after 30 seconds. */
  @Override
  public void close() {
    try {
      lifeline.close();
    } catch (IOException ignored) {
      // Closing our end is what asks the child to stop; it cannot fail in a way we could mend.
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void awaitReady() throws IOException {
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    awaitListening(deadline);
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
    try (Admin admin = Admin.create(config)) {
      while (true) {
        if (!process.isAlive()) {
          throw new IOException(
              "the Kafka broker exited with " + process.exitValue() + ":\n" + tail(logFile));
        }
        try {
          if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception notYet) {
          // Not listening yet, or the controller has not elected itself: try again shortly.
        }
        if (Instant.now().isAfter(deadline)) {
          throw new IOException(
              "the Kafka broker was not ready within " + READY_TIMEOUT + ":\n" + tail(logFile));
        }
        Thread.sleep(200);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the Kafka broker", e);
    }
  }

  /**
   * Waits for the listener before asking Kafka anything, so that the admin client below does not
   * log a warning for every refused connection while the JVM starts.
   */
  private void awaitListening(Instant deadline) throws IOException {
    int colon = bootstrapServers.lastIndexOf(':');
    String host = bootstrapServers.substring(0, colon);
    int port = Integer.parseInt(bootstrapServers.substring(colon + 1));
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), 1_000);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IOException(
              "the Kafka broker exited with " + process.exitValue() + ":\n" + tail(logFile));
        }
        if (Instant.now().isAfter(deadline)) {
          throw new IOException(
              "the Kafka broker did not listen within " + READY_TIMEOUT + ":\n" + tail(logFile));
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the Kafka broker", e);
      }
    }
  }

  private static void format(Path dir, String classpath, Path properties, Path logFile)
      throws IOException {
    Process format =
        new ProcessBuilder(
                javaCommand(
                    dir,
                    classpath,
                    "kafka.tools.StorageTool",
                    "format",
                    "--ignore-formatted",
                    "--cluster-id",
                    Uuid.randomUuid().toString(),
                    "--config",
                    properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    try {
      format.getOutputStream().close();
      if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
        format.destroyForcibly();
        throw new IOException("formatting the Kafka log directory failed:\n" + tail(logFile));
      }
    } catch (InterruptedException e) {
      format.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while formatting the Kafka log directory", e);
    }
  }

  private static List<String> javaCommand(
      Path dir, String classpath, String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xms64m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-Djava.awt.headless=true",
            "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
            "-cp",
            classpath,
            mainClass));
    command.addAll(List.of(args));
    return command;
  }

  private static void checkDistinct(int port, List<Listener> extra) {
    Set<String> names = new HashSet<>();
    Set<Integer> ports = new HashSet<>(Set.of(port));
    for (Listener listener : extra) {
      if (!names.add(listener.name())) {
        throw new IllegalArgumentException("two listeners named " + listener.name());
      }
      if (!ports.add(listener.port())) {
        throw new IllegalArgumentException("two listeners on port " + listener.port());
      }
    }
  }

  private static void writeServerProperties(
      Path file, Path logDir, String host, int port, int controllerPort, List<Listener> extra)
      throws IOException {
    StringBuilder listeners = new StringBuilder();
    StringBuilder advertised = new StringBuilder();
    StringBuilder protocols = new StringBuilder();
    for (Listener listener : extra) {
      listeners.append(',').append(listener.name()).append("://").append(host);
      listeners.append(':').append(listener.port());
      advertised.append(',').append(listener.name()).append("://");
      advertised.append(listener.advertisedHost()).append(':').append(listener.advertisedPort());
      protocols.append(',').append(listener.name()).append(":PLAINTEXT");
    }
    String properties =
        String.join(
            "\n",
            "# Written by KafkaBroker at every start: one KRaft node, broker and controller.",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@" + host + ":" + controllerPort,
            "listeners=PLAINTEXT://"
                + host
                + ":"
                + port
                + ",CONTROLLER://"
                + host
                + ":"
                + controllerPort
                + listeners,
            "advertised.listeners=PLAINTEXT://" + host + ":" + port + advertised,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT" + protocols,
            "log.dirs=" + logDir,
            "auto.create.topics.enable=false",
            "num.partitions=12",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            // The publisher's transactions need this log; 50 partitions (the default) take seconds
            // to create on a first start, during which nothing is published.
            "transaction.state.log.num.partitions=1",
            // A transaction's first write waits, on the broker, until the previous transaction of
            // its producer is complete, checking again every 20 ms by default: with one transaction
            // after another (the publisher's), about one in five took 20 ms more (docs/deploy.md).
            "add.partitions.to.txn.retry.backoff.ms=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "log.retention.hours=-1",
            "");
    Files.writeString(file, properties, StandardCharsets.UTF_8);
  }

  private static void writeLogConfig(Path file) throws IOException {
    Files.writeString(
        file,
        String.join(
            "\n",
            "appender.out.type=Console",
            "appender.out.name=out",
            "appender.out.layout.type=PatternLayout",
            "appender.out.layout.pattern=%d{ISO8601} %p [%c{1}] %m%n",
            "rootLogger.level=WARN",
            "rootLogger.appenderRef.out.ref=out",
            "logger.server.name=kafka.server.KafkaRaftServer",
            "logger.server.level=INFO",
            ""),
        StandardCharsets.UTF_8);
  }

  /** The broker's class path: the Kafka jars listed at build time, plus this module's classes. */
  private static String classpath() throws IOException {
    try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new IOException("missing " + CLASSPATH_RESOURCE + ": build infra/kafka-broker first");
      }
      String jars = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      String own;
      try {
        own =
            Path.of(
                    KafkaBrokerMain.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
      } catch (java.net.URISyntaxException e) {
        throw new IOException("cannot locate the broker's own classes", e);
      }
      return own + java.io.File.pathSeparator + jars;
    }
  }

  /**
   * A loopback port free at the time of asking and never handed out before in this JVM. Another
   * process may take it before the caller binds it, which is the usual race of tests and local
   * clusters, accepted there; but the kernel readily offers a just-closed port again, so two calls
   * in a row (a broker's port and its controller's) could otherwise name the same port.
   */
  public static int freePort() {
    return freePort(InetAddress.getLoopbackAddress());
  }

  /** {@link #freePort()} on {@code address}, for nodes bound to another loopback address. */
  public static int freePort(InetAddress address) {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, address)) {
        if (HANDED_OUT.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("no free port on " + address, e);
      }
    }
    throw new IllegalStateException(
        "no free port on " + address + " that was not handed out before");
  }

  private static String tail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no broker log: " + e.getMessage() + ")";
    }
  }
}
