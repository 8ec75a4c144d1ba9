package dev.comments.geodns.geo;

import com.maxmind.db.CHMCache;
import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.InvalidNetworkException;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Every network of a MaxMind database as sorted range starts per address family, each pointing at a
 * distinct location. Looking an address up is a binary search over primitive arrays: the database
 * is read once, at build, and never on the query path.
 *
 * <p>Keys have their sign bit flipped so that signed comparison orders them as unsigned addresses.
 * Ranges the database does not cover are entries with location {@link #UNKNOWN}, so the search
 * needs no range ends.
 */
final class NetworkTable {
  static final int UNKNOWN = -1;

  /**
   * Decoded values kept during a build. Millions of networks point at far fewer shared values
   * (cities, countries, their coordinates), and without a cache each is decoded again for every
   * network; the cache lives only as long as the build's reader.
   */
  private static final int DECODE_CACHE_ENTRIES = 1 << 18;

  private final int[] v4Starts;
  private final int[] v4Locations;
  private final byte[] v4Prefixes;
  private final long[] v6High;
  private final long[] v6Low;
  private final int[] v6Locations;
  private final byte[] v6Prefixes;
  private final Coordinates[] locations;
  private final String databaseType;

  private NetworkTable(Builder b, String databaseType) {
    this.v4Starts = b.v4Starts.toArray();
    this.v4Locations = b.v4Locations.toArray();
    this.v4Prefixes = b.v4Prefixes.toByteArray();
    this.v6High = b.v6High.toArray();
    this.v6Low = b.v6Low.toArray();
    this.v6Locations = b.v6Locations.toArray();
    this.v6Prefixes = b.v6Prefixes.toByteArray();
    this.locations = new Coordinates[b.locations.size()];
    b.locations.forEach((point, index) -> locations[index] = point);
    this.databaseType = databaseType;
  }

  /**
   * Where an address is: the index of its location (or {@link #UNKNOWN}) and its network's prefix.
   */
  record Hit(int location, int prefixLength) {}

  /**
   * Reads every network of a City or Country database.
   *
   * @throws IndexBuildException when the file cannot be read, is corrupt, or holds no locations
   */
  static NetworkTable read(Path database) {
    try (Reader reader = new Reader(database.toFile(), new CHMCache(DECODE_CACHE_ENTRIES))) {
      String type = reader.getMetadata().databaseType();
      if (!type.contains("City") && !type.contains("Country")) {
        throw new IndexBuildException(
            "GeoIP database " + database + " is a " + type + " database, not City or Country");
      }
      Builder builder = new Builder();
      Networks<GeoRecord> networks = reader.networks(false, GeoRecord.class);
      while (networks.hasNext()) {
        DatabaseRecord<GeoRecord> record = networks.next();
        GeoRecord data = record.data();
        int location =
            data == null ? UNKNOWN : data.coordinates().map(builder::location).orElse(UNKNOWN);
        builder.add(record.network().networkAddress(), record.network().prefixLength(), location);
      }
      builder.closeLastRange();
      if (builder.locations.isEmpty()) {
        throw new IndexBuildException("GeoIP database " + database + " places no network at all");
      }
      return new NetworkTable(builder, type);
    } catch (IndexBuildException e) {
      throw e;
    } catch (IOException | InvalidNetworkException | RuntimeException e) {
      // The reader throws unchecked exceptions (NetworksIterationException and others) for corrupt
      // trees and data sections; all of them mean the same thing here: this file is unusable.
      throw new IndexBuildException(
          "cannot build the GeoIP index from " + database + ": " + e.getMessage(), e);
    }
  }

  Hit find(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      // Read by hand: a ByteBuffer here was allocated per query and was a tenth of its samples.
      int key = (int) bigEndian(bytes, 0, 4) ^ Integer.MIN_VALUE;
      int i = Arrays.binarySearch(v4Starts, key);
      int at = i >= 0 ? i : -i - 2;
      return at < 0 ? new Hit(UNKNOWN, -1) : new Hit(v4Locations[at], prefix(v4Prefixes[at]));
    }
    long high = bigEndian(bytes, 0, 8) ^ Long.MIN_VALUE;
    long low = bigEndian(bytes, 8, 8) ^ Long.MIN_VALUE;
    int lo = 0;
    int hi = v6High.length - 1;
    int at = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int cmp =
          v6High[mid] != high ? Long.compare(v6High[mid], high) : Long.compare(v6Low[mid], low);
      if (cmp <= 0) {
        at = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return at < 0 ? new Hit(UNKNOWN, -1) : new Hit(v6Locations[at], prefix(v6Prefixes[at]));
  }

  private static long bigEndian(byte[] bytes, int from, int length) {
    long value = 0;
    for (int i = from; i < from + length; i++) {
      value = (value << 8) | (bytes[i] & 0xFF);
    }
    return value;
  }

  /** Prefixes up to 128 are kept as unsigned bytes, with 255 for a gap's "no network". */
  private static int prefix(byte stored) {
    int value = Byte.toUnsignedInt(stored);
    return value == 255 ? -1 : value;
  }

  Coordinates[] locations() {
    return locations.clone();
  }

  int locationCount() {
    return locations.length;
  }

  int networkCount() {
    return v4Starts.length + v6High.length;
  }

  String databaseType() {
    return databaseType;
  }

  /** Collects networks in the database's order, which is address order, filling the gaps. */
  private static final class Builder {
    private final IntList v4Starts = new IntList();
    private final IntList v4Locations = new IntList();
    private final IntList v4Prefixes = new IntList();
    private final LongList v6High = new LongList();
    private final LongList v6Low = new LongList();
    private final IntList v6Locations = new IntList();
    private final IntList v6Prefixes = new IntList();
    private final Map<Coordinates, Integer> locations = new HashMap<>();
    private long v4Next = 0;
    private BigInteger v6Next = BigInteger.ZERO;

    int location(Coordinates point) {
      return locations.computeIfAbsent(point, p -> locations.size());
    }

    void add(InetAddress network, int prefixLength, int location) {
      if (network instanceof Inet4Address) {
        long start = Integer.toUnsignedLong(ByteBuffer.wrap(network.getAddress()).getInt());
        if (start < v4Next) {
          return; // an alias of a range already seen
        }
        if (start > v4Next) {
          addV4((int) v4Next, UNKNOWN, -1);
        }
        addV4((int) start, location, prefixLength);
        v4Next = start + (1L << (32 - prefixLength));
      } else {
        BigInteger start = new BigInteger(1, network.getAddress());
        if (start.compareTo(v6Next) < 0) {
          return;
        }
        if (start.compareTo(v6Next) > 0) {
          addV6(v6Next, UNKNOWN, -1);
        }
        addV6(start, location, prefixLength);
        v6Next = start.add(BigInteger.ONE.shiftLeft(128 - prefixLength));
      }
    }

    /** The space after the last network is unknown too, not part of that network. */
    void closeLastRange() {
      if (v4Next <= 0xFFFF_FFFFL) {
        addV4((int) v4Next, UNKNOWN, -1);
      }
      if (v6Next.bitLength() <= 128) {
        addV6(v6Next, UNKNOWN, -1);
      }
    }

    private void addV4(int start, int location, int prefix) {
      v4Starts.add(start ^ Integer.MIN_VALUE);
      v4Locations.add(location);
      v4Prefixes.add(prefix);
    }

    private void addV6(BigInteger start, int location, int prefix) {
      v6High.add(start.shiftRight(64).longValue() ^ Long.MIN_VALUE);
      v6Low.add(start.longValue() ^ Long.MIN_VALUE);
      v6Locations.add(location);
      v6Prefixes.add(prefix);
    }
  }

  private static final class IntList {
    private int[] values = new int[1024];
    private int size;

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }

    byte[] toByteArray() {
      byte[] bytes = new byte[size];
      for (int i = 0; i < size; i++) {
        bytes[i] = (byte) values[i];
      }
      return bytes;
    }
  }

  private static final class LongList {
    private long[] values = new long[1024];
    private int size;

    void add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
