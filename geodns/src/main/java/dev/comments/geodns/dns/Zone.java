package dev.comments.geodns.dns;

import java.util.List;
import java.util.Objects;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;

/**
 * One zone this server is authoritative for. A zone answers only with nodes of its own deployment:
 * that is how an EU zone keeps EU clients' traffic on EU nodes whatever the global map holds.
 *
 * @param service the one name answered with the nearest nodes, e.g. {@code edge.comments.test.}
 * @param hostmaster the SOA's responsible mailbox, as a name
 */
public record Zone(
    Name origin,
    String deployment,
    Name service,
    List<NameServer> nameServers,
    Name hostmaster,
    long serial) {
  public Zone {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(hostmaster, "hostmaster");
    nameServers = List.copyOf(nameServers);
    if (!origin.isAbsolute() || !service.isAbsolute()) {
      throw new IllegalArgumentException("zone and service names must be absolute (end in a dot)");
    }
    if (!service.subdomain(origin)) {
      throw new IllegalArgumentException(service + " is not inside zone " + origin);
    }
    if (nameServers.isEmpty()) {
      throw new IllegalArgumentException("zone " + origin + " needs at least one name server");
    }
  }

  /** A zone named {@code origin} whose service is {@code label.origin}, served by {@code ns}. */
  public static Zone of(String origin, String deployment, String label, NameServer ns) {
    Name zone = Name.fromConstantString(origin);
    return new Zone(
        zone,
        deployment,
        Name.fromConstantString(label + "." + origin),
        List.of(ns),
        Name.fromConstantString("hostmaster." + origin),
        1);
  }

  /**
   * The SOA. Its minimum (the negative-caching TTL) and its own TTL both follow the answer TTL, so
   * a name that starts to exist is seen as soon as a changed answer would be.
   */
  SOARecord soa(long ttl) {
    return new SOARecord(
        origin,
        DClass.IN,
        ttl,
        nameServers.getFirst().name(),
        hostmaster,
        serial,
        3600,
        600,
        86400,
        ttl);
  }
}
