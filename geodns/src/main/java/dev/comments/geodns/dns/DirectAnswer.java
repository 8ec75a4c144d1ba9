package dev.comments.geodns.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The hot path: an A or AAAA query for a zone's service name, read and answered straight on the
 * wire. A profile under load showed building dnsjava {@code Message}s (parse, records, compression,
 * serialization) to be most of a query's cost; this path touches only the bytes it needs and writes
 * the very bytes {@link QueryHandler}'s general path would. Anything it does not recognize exactly
 * (another name or type, more records, other EDNS options, an odd Client Subnet, an answer that
 * needs truncation, SERVFAIL or NODATA) is left to the general path, which also guards hostile
 * input: this one only ever declines.
 */
final class DirectAnswer {
  private static final int HEADER = 12;
  private static final int TYPE_A = 1;
  private static final int TYPE_AAAA = 28;
  private static final int TYPE_OPT = 41;
  private static final int CLASS_IN = 1;
  private static final int OPTION_CLIENT_SUBNET = 8;

  private final List<Service> services;
  private final NearestNodes nearest;
  private final long ttl;
  private final long failOpenTtl;
  private final int maxUdpPayload;

  /**
   * @param zones longest origin first, as the general path searches them
   */
  DirectAnswer(
      List<Zone> zones, NearestNodes nearest, long ttl, long failOpenTtl, int maxUdpPayload) {
    List<Service> found = new ArrayList<>();
    for (Zone zone : zones) {
      Zone owner =
          zones.stream()
              .filter(z -> zone.service().subdomain(z.origin()))
              .findFirst()
              .orElseThrow();
      // A service name inside a nested zone is answered by that zone: the general path's business.
      if (owner == zone) {
        found.add(new Service(zone.service().toWireCanonical(), zone.deployment()));
      }
    }
    this.services = List.copyOf(found);
    this.nearest = nearest;
    this.ttl = ttl;
    this.failOpenTtl = failOpenTtl;
    this.maxUdpPayload = maxUdpPayload;
  }

  /** What the answer holds besides the bytes, for the caller's metrics. */
  record Answer(byte[] wire, boolean failOpen) {}

  /**
   * The response to {@code wire} (at least a header long, not a response), or null when the general
   * path must answer it.
   */
  Answer answer(byte[] wire, InetAddress source, QueryHandler.Transport transport) {
    // Header: QUERY opcode, one question and at most one additional record (the OPT).
    if ((wire[2] & 0x78) != 0
        || u16(wire, 4) != 1
        || u16(wire, 6) != 0
        || u16(wire, 8) != 0
        || u16(wire, 10) > 1) {
      return null;
    }
    Service service = service(wire);
    if (service == null) {
      return null;
    }
    int at = HEADER + service.name.length;
    if (wire.length < at + 4 || u16(wire, at + 2) != CLASS_IN) {
      return null;
    }
    int type = u16(wire, at);
    if (type != TYPE_A && type != TYPE_AAAA) {
      return null;
    }
    int questionEnd = at + 4;
    boolean edns = u16(wire, 10) == 1;
    int limit = QueryHandler.CLASSIC_UDP_LIMIT;
    int ecsAt = -1;
    int ecsLength = 0;
    InetAddress client = source;
    if (!edns) {
      if (wire.length != questionEnd) {
        return null;
      }
    } else {
      // The OPT: root name, type 41, class = payload size, version 0, options only to the end.
      int opt = questionEnd;
      if (wire.length < opt + 11
          || wire[opt] != 0
          || u16(wire, opt + 1) != TYPE_OPT
          || wire[opt + 6] != 0
          || opt + 11 + u16(wire, opt + 9) != wire.length) {
        return null;
      }
      limit = Math.clamp(u16(wire, opt + 3), QueryHandler.CLASSIC_UDP_LIMIT, maxUdpPayload);
      int rdata = opt + 11;
      if (rdata != wire.length) {
        // Exactly one option, a Client Subnet that dnsjava would read and echo as it came.
        if (wire.length < rdata + 8
            || u16(wire, rdata) != OPTION_CLIENT_SUBNET
            || rdata + 4 + u16(wire, rdata + 2) != wire.length) {
          return null;
        }
        ecsAt = rdata + 4;
        ecsLength = wire.length - ecsAt;
        client = clientSubnet(wire, ecsAt, ecsLength, source);
        if (client == null) {
          return null;
        }
      }
    }
    boolean ipv6 = type == TYPE_AAAA;
    if (!(nearest.choose(service.deployment, client, ipv6) instanceof Choice.Serve serve)
        || serve.addresses().isEmpty()) {
      return null;
    }
    List<InetAddress> addresses = serve.addresses();
    int rdataLength = ipv6 ? 16 : 4;
    int length =
        questionEnd
            + addresses.size() * (12 + rdataLength)
            + (edns ? 11 + (ecsAt < 0 ? 0 : 4 + ecsLength) : 0);
    if (transport == QueryHandler.Transport.UDP && length > limit) {
      return null;
    }
    byte[] out = new byte[length];
    out[0] = wire[0];
    out[1] = wire[1];
    out[2] = (byte) (0x84 | (wire[2] & 0x01)); // QR, AA, and the query's RD
    out[5] = 1;
    put16(out, 6, addresses.size());
    out[11] = (byte) (edns ? 1 : 0);
    System.arraycopy(wire, HEADER, out, HEADER, questionEnd - HEADER);
    int w = questionEnd;
    long answerTtl = serve.failOpen() ? failOpenTtl : ttl;
    for (InetAddress address : addresses) {
      out[w] = (byte) 0xC0; // a pointer to the question's name
      out[w + 1] = HEADER;
      put16(out, w + 2, type);
      put16(out, w + 4, CLASS_IN);
      put16(out, w + 6, (int) (answerTtl >>> 16));
      put16(out, w + 8, (int) answerTtl);
      put16(out, w + 10, rdataLength);
      byte[] raw = address.getAddress();
      System.arraycopy(raw, 0, out, w + 12, rdataLength);
      w += 12 + rdataLength;
    }
    if (edns) {
      put16(out, w + 1, TYPE_OPT);
      put16(out, w + 3, maxUdpPayload);
      if (ecsAt >= 0) {
        put16(out, w + 9, 4 + ecsLength);
        put16(out, w + 11, OPTION_CLIENT_SUBNET);
        put16(out, w + 13, ecsLength);
        System.arraycopy(wire, ecsAt, out, w + 15, ecsLength);
        int sourcePrefix = wire[ecsAt + 2] & 0xFF;
        int network = serve.placement().prefixLength();
        int scope = sourcePrefix == 0 ? 0 : network < 0 ? sourcePrefix : network;
        out[w + 15 + 3] = (byte) scope;
      }
    }
    return new Answer(out, serve.failOpen());
  }

  /** The service whose name the question holds (ASCII case aside), or null. */
  private Service service(byte[] wire) {
    for (Service service : services) {
      byte[] name = service.name;
      if (wire.length < HEADER + name.length) {
        continue;
      }
      // Resolvers send the name as it was asked, nearly always in lower case: one vectorized
      // compare, and the byte loop with case folding only when it differs.
      if (Arrays.equals(wire, HEADER, HEADER + name.length, name, 0, name.length)) {
        return service;
      }
      boolean same = true;
      for (int i = 0; i < name.length && same; i++) {
        byte b = wire[HEADER + i];
        same = (b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b) == name[i];
      }
      if (same) {
        return service;
      }
    }
    return null;
  }

  /**
   * Whom a Client Subnet option places: its address, or {@code source} when it sends no address
   * bits. Null for anything but the plain form dnsjava reads and echoes unchanged: a known family,
   * a source prefix within it, scope 0, exactly the address bytes the prefix needs, zero padding,
   * and no IPv4-mapped IPv6 address (which dnsjava turns into IPv4 and cannot echo).
   */
  private static InetAddress clientSubnet(byte[] wire, int at, int length, InetAddress source) {
    int family = u16(wire, at);
    int bytes = family == 1 ? 4 : family == 2 ? 16 : 0;
    int prefix = wire[at + 2] & 0xFF;
    if (bytes == 0 || prefix > bytes * 8 || wire[at + 3] != 0 || length != 4 + (prefix + 7) / 8) {
      return null;
    }
    if (prefix % 8 != 0 && (wire[at + length - 1] & (0xFF >>> (prefix % 8))) != 0) {
      return null;
    }
    if (prefix == 0) {
      return source;
    }
    byte[] address = new byte[bytes];
    System.arraycopy(wire, at + 4, address, 0, length - 4);
    try {
      InetAddress client = InetAddress.getByAddress(address);
      return family == 2 && client instanceof Inet4Address ? null : client;
    } catch (UnknownHostException impossible) {
      return null;
    }
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  private static void put16(byte[] b, int at, int value) {
    b[at] = (byte) (value >>> 8);
    b[at + 1] = (byte) value;
  }

  /** A service name in canonical (lower-case) wire form, and the deployment its zone answers. */
  private static final class Service {
    private final byte[] name;
    private final String deployment;

    Service(byte[] name, String deployment) {
      this.name = name;
      this.deployment = deployment;
    }
  }
}
