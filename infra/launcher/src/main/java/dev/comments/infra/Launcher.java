package dev.comments.infra;

import dev.comments.infra.cluster.ClusterControl;
import dev.comments.infra.cluster.ClusterMember;
import dev.comments.infra.cluster.LocalCluster;
import dev.comments.infra.cluster.Region;
import dev.comments.infra.cluster.Rollout;
import dev.comments.infra.dev.DevNode;
import dev.comments.infra.kafka.ParentLifeline;
import dev.comments.infra.node.NodeApplication;
import dev.comments.infra.ops.ProjectionsCommand;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The {@code comments} command: {@code dev} runs a node on the embedded default, {@code node} runs
 * one against an external Kafka and MongoDB, {@code cluster} runs a primary and replicas of several
 * regions on this machine. All stop cleanly on Ctrl-C or SIGTERM.
 */
public final class Launcher {
  private static final String USAGE =
      """
      usage: comments dev [--http-port PORT] [--https-port PORT|off] [--dns-port PORT] [--data-dir DIR]
                          [--rate-limits on|off]
                          [--allow-origin ORIGIN ...]
                          [--comments.SETTING=VALUE ...]
             comments node --config FILE [--comments.SETTING=VALUE ...]
             comments cluster [--regions R1,R2,...] [--data-dir DIR] [--http-port PORT]
                              [--https-port PORT] [--dns-port PORT] [--dns-ttl SECONDS]
                              [--wan auto|off|MILLISms] [--rate-limits on|off]
             comments cluster stop|start NODE [--data-dir DIR]
             comments drain|undrain NODE [--data-dir DIR]
             comments rollout [--data-dir DIR] [--grace SECONDS]
             comments projections list|status NAME|rebuild NAME [--no-wait]|checksum NAME
                                  |dead-letters|retry [--node URL] [--data-dir DIR]
      """;

  /** Where dev nodes take HTTPS: 443 needs privileges, and 8443 is its usual stand-in. */
  private static final int DEV_HTTPS_PORT = 8443;

  /** Where dev DNS servers listen: 53 needs privileges, and 5353 is what dig users expect. */
  private static final int DEV_DNS_PORT = 5353;

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      fail("a command is required");
    }
    List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
    switch (args[0]) {
      case "dev" -> dev(rest);
      case "node" -> node(rest);
      case "cluster" -> cluster(rest);
      case "cluster-member" -> clusterMember(rest);
      case "drain", "undrain", "rollout" -> operate(args[0], rest);
      case "projections" -> projections(rest);
      case "-h", "--help", "help" -> System.out.print(USAGE);
      default -> fail("unknown command: " + args[0]);
    }
  }

  private static void dev(List<String> args) throws Exception {
    int httpPort = 8080;
    int httpsPort = DEV_HTTPS_PORT;
    int dnsPort = DEV_DNS_PORT;
    Path dataDir = Path.of("data", "dev");
    List<String> settings = new ArrayList<>();
    List<String> origins = new ArrayList<>(DevNode.DEMO_ORIGINS);
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--http-port" -> httpPort = parsePort(valueOf(args, ++i, arg));
        case "--https-port" -> {
          String value = valueOf(args, ++i, arg);
          httpsPort = value.equals("off") ? -1 : parsePort(value);
        }
        case "--dns-port" -> dnsPort = parsePort(valueOf(args, ++i, arg));
        case "--data-dir" -> dataDir = Path.of(valueOf(args, ++i, arg));
        case "--rate-limits" ->
            settings.add("--comments.limits.enabled=" + rateLimits(valueOf(args, ++i, arg)));
        case "--allow-origin" -> origins.add(valueOf(args, ++i, arg));
        default -> settings.add(setting(arg));
      }
    }
    if (origins.size() > DevNode.DEMO_ORIGINS.size()) {
      // One value for the whole list: a list is bound from one source, never merged.
      settings.add(
          "--comments.tenants." + DevNode.TENANT + ".allowed-origins=" + String.join(",", origins));
    }
    DevNode node =
        DevNode.start(dataDir, httpPort, httpsPort, dnsPort, settings.toArray(String[]::new));
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

  private static void cluster(List<String> args) throws Exception {
    String action = null;
    String nodeId = null;
    if (!args.isEmpty() && (args.getFirst().equals("stop") || args.getFirst().equals("start"))) {
      action = args.getFirst();
      nodeId = valueOf(args, 1, action);
      args = args.subList(2, args.size());
    }
    List<Region> regions =
        List.of(Region.named("us-west"), Region.named("eu-central"), Region.named("ap-southeast"));
    Path dataDir = Path.of("data", "cluster");
    int httpPort = 8080;
    int httpsPort = DEV_HTTPS_PORT;
    int dnsPort = LocalCluster.Dns.DEFAULT_PORT;
    Duration dnsTtl = LocalCluster.Dns.DEFAULT_TTL;
    LocalCluster.Wan wan = new LocalCluster.Wan.ByDistance();
    boolean rateLimits = true;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--data-dir" -> dataDir = Path.of(valueOf(args, ++i, arg));
        case "--regions" -> regions = regions(valueOf(args, ++i, arg));
        case "--http-port" -> httpPort = parsePort(valueOf(args, ++i, arg));
        case "--https-port" -> httpsPort = parsePort(valueOf(args, ++i, arg));
        case "--dns-port" -> dnsPort = parsePort(valueOf(args, ++i, arg));
        case "--dns-ttl" -> dnsTtl = seconds(valueOf(args, ++i, arg), arg);
        case "--wan" -> wan = wan(valueOf(args, ++i, arg));
        case "--rate-limits" -> rateLimits = rateLimits(valueOf(args, ++i, arg));
        default -> fail("unknown option: " + arg);
      }
    }
    if (action != null) {
      ClusterControl control = new ClusterControl(dataDir);
      try {
        System.out.println(action.equals("stop") ? control.stop(nodeId) : control.start(nodeId));
      } catch (IllegalArgumentException | IllegalStateException | IOException e) {
        System.err.println("comments: " + e.getMessage());
        System.exit(1);
      }
      return;
    }
    LocalCluster cluster =
        LocalCluster.start(
            regions,
            dataDir,
            httpPort,
            httpsPort,
            new LocalCluster.Dns(dnsPort, dnsTtl),
            wan,
            rateLimits);
    awaitShutdown(cluster::close);
    System.out.println(cluster.summary());
    Thread.currentThread().join();
  }

  /** The operator's verbs on a running local cluster, found through its cluster.json. */
  private static void operate(String verb, List<String> args) throws Exception {
    String nodeId = null;
    if (!verb.equals("rollout")) {
      nodeId = valueOf(args, 0, verb);
      args = args.subList(1, args.size());
    }
    Path dataDir = Path.of("data", "cluster");
    Duration grace = Duration.ofSeconds(2);
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--data-dir" -> dataDir = Path.of(valueOf(args, ++i, arg));
        case "--grace" -> grace = seconds(valueOf(args, ++i, arg), arg);
        default -> fail("unknown option: " + arg);
      }
    }
    try {
      Rollout rollout = new Rollout(dataDir, System.out);
      switch (verb) {
        case "drain" -> System.out.println(rollout.drain(nodeId, true));
        case "undrain" -> System.out.println(rollout.drain(nodeId, false));
        default -> rollout.rollout(grace);
      }
    } catch (IllegalArgumentException | IllegalStateException | IOException e) {
      System.err.println("comments: " + e.getMessage());
      System.exit(1);
    }
  }

  /** The operator's verbs on one node's projections, through its admin routes. */
  private static void projections(List<String> args) throws Exception {
    if (args.isEmpty()) {
      fail("projections needs a verb: " + ProjectionsCommand.USAGE);
    }
    String verb = args.getFirst();
    List<String> names = new ArrayList<>();
    URI node = URI.create("http://127.0.0.1:8080");
    Path dataDir = Path.of("data", "dev");
    boolean wait = true;
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--node" -> node = URI.create(valueOf(args, ++i, arg));
        case "--data-dir" -> dataDir = Path.of(valueOf(args, ++i, arg));
        case "--no-wait" -> wait = false;
        case "--tenant" ->
            fail(
                "--tenant: a rebuild replays the whole log into the node's projection, for every"
                    + " tenant at once; there is no per-tenant rebuild");
        default -> {
          if (arg.startsWith("--")) {
            fail("unknown option: " + arg);
          }
          names.add(arg);
        }
      }
    }
    try {
      ProjectionsCommand command =
          new ProjectionsCommand(node, ProjectionsCommand.clusterKeyOf(dataDir), System.out);
      System.exit(command.run(verb, names, wait));
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("comments: " + e.getMessage());
      System.exit(1);
    }
  }

  private static List<Region> regions(String list) {
    List<Region> regions = new ArrayList<>();
    for (String name : list.split(",", -1)) {
      try {
        regions.add(Region.named(name.strip()));
      } catch (IllegalArgumentException e) {
        fail(e.getMessage());
      }
    }
    return regions;
  }

  /** On by default; off for benchmarks and load tests, and the node says so when it starts. */
  private static boolean rateLimits(String value) {
    return switch (value) {
      case "on" -> true;
      case "off" -> false;
      default -> {
        fail("--rate-limits takes on or off, not " + value);
        yield true;
      }
    };
  }

  private static LocalCluster.Wan wan(String value) {
    if (value.equals("auto")) {
      return new LocalCluster.Wan.ByDistance();
    }
    if (value.equals("off")) {
      return new LocalCluster.Wan.Off();
    }
    if (value.matches("[0-9]{1,4}ms")) {
      return new LocalCluster.Wan.Fixed(
          Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2))));
    }
    fail("--wan takes auto, off or a one-way latency such as 70ms, not " + value);
    return null;
  }

  /** A node of a local cluster; started by {@code comments cluster}, not by hand. */
  private static void clusterMember(List<String> args) throws Exception {
    Path nodeDir = null;
    String host = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--node-dir" -> nodeDir = Path.of(valueOf(args, ++i, arg));
        case "--host" -> host = valueOf(args, ++i, arg);
        default -> fail("unknown option: " + arg);
      }
    }
    if (nodeDir == null || host == null) {
      fail("cluster-member needs --node-dir and --host");
    }
    AutoCloseable member = ClusterMember.start(nodeDir, host);
    awaitShutdown(
        () -> {
          try {
            member.close();
          } catch (Exception e) {
            System.err.println("comments: stopping the node failed: " + e);
          }
        });
    ParentLifeline.watch();
    Thread.currentThread().join();
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

  private static Duration seconds(String value, String option) {
    if (!value.matches("[0-9]{1,5}")) {
      fail(option + " takes a whole number of seconds, not " + value);
    }
    return Duration.ofSeconds(Long.parseLong(value));
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
