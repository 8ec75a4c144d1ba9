package dev.comments.geodns;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;

/** A dnsjava client against the server under test, over real UDP or TCP on loopback. */
public final class Dig {
  private final int port;
  private boolean tcp;
  private int payload = 1232;
  private ClientSubnetOption ecs;
  private int dclass = DClass.IN;

  private Dig(int port) {
    this.port = port;
  }

  public static Dig to(int port) {
    return new Dig(port);
  }

  public Dig tcp(boolean overTcp) {
    this.tcp = overTcp;
    return this;
  }

  /** No EDNS at all: the classic 512-byte UDP limit applies. */
  public Dig noEdns() {
    this.payload = -1;
    return this;
  }

  public Dig clientSubnet(String address, int prefix) {
    try {
      this.ecs = new ClientSubnetOption(prefix, InetAddress.getByName(address));
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
    return this;
  }

  public Dig dclass(int newClass) {
    this.dclass = newClass;
    return this;
  }

  public Message query(String name, int type) throws IOException {
    SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
    resolver.setPort(port);
    resolver.setTCP(tcp);
    resolver.setIgnoreTruncation(true);
    resolver.setTimeout(Duration.ofSeconds(3));
    if (payload < 0) {
      resolver.setEDNS(-1, 0, 0, List.of());
    } else {
      List<EDNSOption> options = ecs == null ? List.of() : List.of(ecs);
      resolver.setEDNS(0, payload, 0, options);
    }
    return resolver.send(Message.newQuery(Record.newRecord(name(name), type, dclass)));
  }

  private static Name name(String text) {
    try {
      return Name.fromString(text);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
