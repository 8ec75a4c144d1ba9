package dev.comments.geodns;

import dev.comments.geodns.dns.NameServer;
import dev.comments.geodns.dns.Zone;
import dev.comments.geodns.geo.Coordinates;
import dev.comments.geodns.node.Node;
import dev.comments.geodns.node.NodeState;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.xbill.DNS.Name;

/**
 * Settings and static nodes for the standalone server, from a properties file. Every key but {@code
 * database}, {@code zones} and {@code nodes} has the dev default; see docs/geodns.md.
 */
public record StandaloneConfig(GeoDnsSettings settings, List<Node> nodes) {
  public static StandaloneConfig from(Properties p) {
    GeoDnsSettings dev = GeoDnsSettings.dev(Path.of(required(p, "database")));
    List<Zone> zones = new ArrayList<>();
    for (String origin : list(required(p, "zones"))) {
      String key = "zone." + origin;
      Name zone = Name.fromConstantString(origin);
      Name ns = Name.fromConstantString(p.getProperty(key + ".ns", "ns1." + origin));
      zones.add(
          new Zone(
              zone,
              p.getProperty(key + ".deployment", "global"),
              Name.fromConstantString(p.getProperty(key + ".service", "edge") + "." + origin),
              List.of(new NameServer(ns, addresses(p.getProperty(key + ".ns.addresses", "")))),
              Name.fromConstantString("hostmaster." + origin),
              Long.parseLong(p.getProperty(key + ".serial", "1"))));
    }
    List<Node> nodes = new ArrayList<>();
    for (String id : list(required(p, "nodes"))) {
      String key = "node." + id;
      nodes.add(
          new Node(
              id,
              p.getProperty(key + ".deployment", "global"),
              p.getProperty(key + ".region", id),
              Coordinates.parse(required(p, key + ".location")),
              addresses(required(p, key + ".addresses")),
              NodeState.UP,
              true,
              Double.parseDouble(p.getProperty(key + ".canaryShare", "0"))));
    }
    GeoDnsSettings settings =
        new GeoDnsSettings(
            new InetSocketAddress(
                address(p.getProperty("bind", dev.bind().getAddress().getHostAddress())),
                Integer.parseInt(p.getProperty("port", String.valueOf(dev.bind().getPort())))),
            dev.database(),
            zones,
            p.containsKey("fallback")
                ? Coordinates.parse(p.getProperty("fallback"))
                : dev.fallback(),
            duration(p, "ttl", dev.ttl()),
            Integer.parseInt(p.getProperty("answers", String.valueOf(dev.answers()))),
            duration(p, "failOpenTtl", dev.failOpenTtl()),
            Integer.parseInt(p.getProperty("maxUdpPayload", String.valueOf(dev.maxUdpPayload()))),
            duration(p, "rebuildEvery", dev.rebuildEvery()),
            duration(p, "checkFileEvery", dev.checkFileEvery()),
            Long.parseLong(p.getProperty("perSourceQps", String.valueOf(dev.perSourceQps()))),
            Long.parseLong(p.getProperty("perSourceBurst", String.valueOf(dev.perSourceBurst()))),
            Integer.parseInt(
                p.getProperty("maxTcpConnections", String.valueOf(dev.maxTcpConnections()))),
            duration(p, "tcpIdleTimeout", dev.tcpIdleTimeout()),
            Integer.parseInt(p.getProperty("udpThreads", String.valueOf(dev.udpThreads()))),
            Integer.parseInt(p.getProperty("udpBatch", String.valueOf(dev.udpBatch()))));
    return new StandaloneConfig(settings, nodes);
  }

  private static String required(Properties p, String key) {
    String value = p.getProperty(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("setting " + key + " is required");
    }
    return value.strip();
  }

  private static List<String> list(String value) {
    return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static Duration duration(Properties p, String key, Duration fallback) {
    return p.containsKey(key) ? Duration.parse(p.getProperty(key).strip()) : fallback;
  }

  private static List<InetAddress> addresses(String value) {
    return list(value).stream().map(StandaloneConfig::address).toList();
  }

  /** Literal addresses only: a name here would make start-up depend on another DNS server. */
  private static InetAddress address(String literal) {
    if (!literal.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("not an IP address literal: " + literal);
    }
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address literal: " + literal, e);
    }
  }
}
