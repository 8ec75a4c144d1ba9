package dev.comments.geodns.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import org.xbill.DNS.Name;

/**
 * A name server of a zone; its addresses are answered (and given as glue) when the name lies inside
 * the zone, and may be empty when it lies outside.
 */
public record NameServer(Name name, List<InetAddress> addresses) {
  public NameServer {
    Objects.requireNonNull(name, "name");
    if (!name.isAbsolute()) {
      throw new IllegalArgumentException("name server must be absolute: " + name);
    }
    addresses = List.copyOf(addresses);
  }
}
