package dev.comments.geodns.dns;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Linux's {@code sockaddr_in} and {@code sockaddr_in6} in native memory: the family in the
 * machine's byte order, the port and address in network order.
 */
final class SocketAddresses {
  /** {@code sizeof(struct sockaddr_in6)}, which also holds a {@code sockaddr_in}. */
  static final long SIZE = 28;

  /** {@code sizeof(struct sockaddr_in)}. */
  static final long IN_SIZE = 16;

  private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT;
  private static final ValueLayout.OfShort PORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  private SocketAddresses() {}

  /** {@code address} as the struct its family needs, allocated in {@code arena}. */
  static MemorySegment of(InetSocketAddress address, Arena arena) {
    InetAddress ip = address.getAddress();
    byte[] raw = ip.getAddress();
    if (ip instanceof Inet6Address v6) {
      MemorySegment in6 = arena.allocate(SIZE, 8);
      in6.set(FAMILY, 0, (short) Libc.AF_INET6);
      in6.set(PORT, 2, (short) address.getPort());
      MemorySegment.copy(raw, 0, in6, ValueLayout.JAVA_BYTE, 8, 16);
      in6.set(ValueLayout.JAVA_INT, 24, v6.getScopeId());
      return in6;
    }
    MemorySegment in = arena.allocate(IN_SIZE, 8);
    in.set(FAMILY, 0, (short) Libc.AF_INET);
    in.set(PORT, 2, (short) address.getPort());
    MemorySegment.copy(raw, 0, in, ValueLayout.JAVA_BYTE, 4, 4);
    return in;
  }

  static int family(InetSocketAddress address) {
    return address.getAddress() instanceof Inet6Address ? Libc.AF_INET6 : Libc.AF_INET;
  }

  static int port(MemorySegment address) {
    return Short.toUnsignedInt(address.get(PORT, 2));
  }

  /**
   * The sender's address, from the struct at {@code at} in {@code names}: an IPv4-mapped IPv6
   * address becomes the IPv4 one, as with the JDK's channels. Null for another family (nothing to
   * answer).
   */
  static InetAddress source(MemorySegment names, long at, int length) {
    int family = names.get(FAMILY, at);
    try {
      if (family == Libc.AF_INET && length >= IN_SIZE) {
        byte[] raw = new byte[4];
        MemorySegment.copy(names, ValueLayout.JAVA_BYTE, at + 4, raw, 0, 4);
        return InetAddress.getByAddress(raw);
      }
      if (family == Libc.AF_INET6 && length >= SIZE) {
        byte[] raw = new byte[16];
        MemorySegment.copy(names, ValueLayout.JAVA_BYTE, at + 8, raw, 0, 16);
        int scope = names.get(ValueLayout.JAVA_INT, at + 24);
        // getByAddress turns an IPv4-mapped address into an Inet4Address.
        return scope == 0
            ? InetAddress.getByAddress(raw)
            : Inet6Address.getByAddress(null, raw, scope);
      }
      return null;
    } catch (UnknownHostException impossible) {
      return null;
    }
  }
}
