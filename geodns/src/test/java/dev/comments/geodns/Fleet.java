package dev.comments.geodns;

import dev.comments.geodns.geo.Coordinates;
import dev.comments.geodns.geo.Site;
import dev.comments.geodns.node.Node;
import dev.comments.geodns.node.NodeState;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;

/**
 * The tests' fleet: three regions of deployment {@code global}, each with one IPv4 and one IPv6.
 */
public final class Fleet {
  public static final Coordinates FRANKFURT = new Coordinates(50.11, 8.68);
  public static final Coordinates OREGON = new Coordinates(45.6, -121.2);
  public static final Coordinates SINGAPORE = new Coordinates(1.35, 103.82);

  private Fleet() {}

  public static Node euCentral() {
    return node("eu-central", "global", FRANKFURT, "192.0.2.1", "2001:db8::1");
  }

  public static Node usWest() {
    return node("us-west", "global", OREGON, "192.0.2.2", "2001:db8::2");
  }

  public static Node apSoutheast() {
    return node("ap-southeast", "global", SINGAPORE, "192.0.2.3", "2001:db8::3");
  }

  public static List<Node> threeRegions() {
    return List.of(euCentral(), usWest(), apSoutheast());
  }

  public static List<Site> sites(List<Node> nodes) {
    return nodes.stream()
        .map(Node::site)
        .sorted(java.util.Comparator.comparing(Site::nodeId))
        .toList();
  }

  public static Node node(String id, String deployment, Coordinates where, String... addresses) {
    return new Node(id, deployment, id, where, parse(addresses), NodeState.UP, true);
  }

  public static List<InetAddress> parse(String... addresses) {
    try {
      List<InetAddress> parsed = new java.util.ArrayList<>();
      for (String a : addresses) {
        parsed.add(InetAddress.getByName(a));
      }
      return parsed;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A test database from src/test/resources/geoip. */
  public static Path database(String name) {
    try {
      return Path.of(Fleet.class.getResource("/geoip/" + name).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path cityDatabase() {
    return database("GeoIP2-City-Test.mmdb");
  }
}
