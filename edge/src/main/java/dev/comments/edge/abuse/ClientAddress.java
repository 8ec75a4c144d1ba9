package dev.comments.edge.abuse;

import dev.comments.edge.primary.ClusterKey;
import dev.comments.edge.primary.PrimaryLink;
import dev.comments.edge.security.KeyRing;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.HexFormat;

/**
 * Who a request counts against: the address it came from, or, when a node of the deployment
 * forwarded it (it shows the cluster key), the address that node saw ({@code X-Forwarded-For}).
 * Anyone else's {@code X-Forwarded-For} is ignored: believing it would let a client pick its own
 * address. An IPv6 client is counted by its /64, the block one subscriber usually holds.
 */
public final class ClientAddress {
  private final KeyRing clusterKeys;
  private final Clock clock;

  ClientAddress(KeyRing clusterKeys, Clock clock) {
    this.clusterKeys = clusterKeys;
    this.clock = clock;
  }

  String of(HttpServerExchange exchange) {
    InetAddress forwarded = trustedForwardedFor(exchange);
    return key(forwarded != null ? forwarded : exchange.getSourceAddress().getAddress());
  }

  private InetAddress trustedForwardedFor(HttpServerExchange exchange) {
    HeaderValues forwardedFor = exchange.getRequestHeaders().get(PrimaryLink.FORWARDED_FOR);
    if (forwardedFor == null || forwardedFor.isEmpty()) {
      return null;
    }
    String given = exchange.getRequestHeaders().getFirst(ClusterKey.HEADER);
    if (!ClusterKey.accepts(clusterKeys, clock.instant(), given)) {
      return null;
    }
    // The forwarding node appends the one address it saw: the last one.
    String list = forwardedFor.getLast();
    String last = list.substring(list.lastIndexOf(',') + 1).strip();
    try {
      // A literal only: never a name lookup on a header's word.
      return InetAddress.ofLiteral(last);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The key limits count a client by: its IPv4 address, or its IPv6 /64 (one host's usual share).
   */
  public static String key(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      return address.getHostAddress();
    }
    return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
  }
}
