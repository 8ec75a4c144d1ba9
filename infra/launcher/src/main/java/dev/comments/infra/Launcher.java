package dev.comments.infra;

import dev.comments.infra.dev.DevNode;
import dev.comments.infra.node.NodeApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The {@code comments} command: {@code dev} runs a node on the embedded default, {@code node} runs
 * one against an external Kafka and MongoDB. Both stop cleanly on Ctrl-C or SIGTERM.
 */
public final class Launcher {
  private static final String USAGE =
      """
      usage: comments dev [--http-port PORT] [--data-dir DIR] [--comments.SETTING=VALUE ...]
             comments node --config FILE [--comments.SETTING=VALUE ...]
      """;

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      fail("a command is required");
    }
    List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
    switch (args[0]) {
      case "dev" -> dev(rest);
      case "node" -> node(rest);
      case "-h", "--help", "help" -> System.out.print(USAGE);
      default -> fail("unknown command: " + args[0]);
    }
  }

  private static void dev(List<String> args) throws Exception {
    int httpPort = 8080;
    Path dataDir = Path.of("data", "dev");
    List<String> settings = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--http-port" -> httpPort = parsePort(valueOf(args, ++i, arg));
        case "--data-dir" -> dataDir = Path.of(valueOf(args, ++i, arg));
        default -> settings.add(setting(arg));
      }
    }
    DevNode node = DevNode.start(dataDir, httpPort, settings.toArray(String[]::new));
    awaitShutdown(node::close);
    System.out.println(node.banner());
    Thread.currentThread().join();
  }

  private static void node(List<String> args) {
    Path config = null;
    List<String> settings = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--config")) {
        config = Path.of(valueOf(args, ++i, arg));
      } else {
        settings.add(setting(arg));
      }
    }
    if (config == null) {
      fail("node needs --config FILE (see infra/config/node.example.yaml)");
    }
    if (!Files.isReadable(config)) {
      fail("cannot read the config file " + config.toAbsolutePath());
    }
    ConfigurableApplicationContext context =
        NodeApplication.run(
            Map.of("spring.config.import", "file:" + config.toAbsolutePath()),
            settings.toArray(String[]::new));
    awaitShutdown(context::close);
    System.out.println("comments node is up; Ctrl-C stops it.");
  }

  /** Runs {@code stop} on SIGTERM or Ctrl-C; the JVM exits once it has finished. */
  private static void awaitShutdown(Runnable stop) {
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "comments-shutdown"));
  }

  private static String setting(String arg) {
    if (!arg.startsWith("--comments.") || !arg.contains("=")) {
      fail("unknown option: " + arg);
    }
    return arg;
  }

  private static String valueOf(List<String> args, int i, String option) {
    if (i >= args.size()) {
      fail(option + " needs a value");
    }
    return args.get(i);
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65_535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // Reported below with the value.
    }
    fail("not a port number: " + value);
    return -1;
  }

  private static void fail(String message) {
    System.err.println("comments: " + message);
    System.err.print(USAGE);
    System.exit(2);
  }
}
