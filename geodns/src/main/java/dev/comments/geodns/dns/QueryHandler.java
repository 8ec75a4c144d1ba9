package dev.comments.geodns.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns one DNS message into the response to send, or into nothing (drop). This is the whole
 * protocol: the listeners only move bytes. It never recurses, never throws, and never answers a
 * message that is itself a response, so two servers cannot be made to talk to each other forever.
 */
public final class QueryHandler {
  /** How the message came: UDP answers must fit the client's buffer, TCP answers need not. */
  public enum Transport {
    UDP,
    TCP
  }

  /** Without EDNS a UDP answer may have 512 bytes (RFC 1035). */
  static final int CLASSIC_UDP_LIMIT = 512;

  private static final int HEADER_LENGTH = 12;
  private static final int EXTENDED_RCODE_SHIFT = 4;
  private static final int NO_NODES = Integer.MIN_VALUE;

  private final List<Zone> zones;
  private final NearestNodes nearest;
  private final long ttl;
  private final long failOpenTtl;
  private final int maxUdpPayload;
  private final MeterRegistry meters;
  private final DirectAnswer direct;
  private final Counter failOpen;
  private final Counter udpAnswered;
  private final Map<String, Counter> udpOutcomes = new ConcurrentHashMap<>();
  private final Map<String, Counter> tcpOutcomes = new ConcurrentHashMap<>();

  /**
   * @param maxUdpPayload the largest UDP answer we send and advertise (1232 avoids IP fragmentation
   *     on every path, as DNS Flag Day 2020 settled)
   */
  public QueryHandler(
      List<Zone> zones,
      NearestNodes nearest,
      Duration ttl,
      Duration failOpenTtl,
      int maxUdpPayload,
      MeterRegistry meters) {
    // Longest origin first, so that a zone nested in another one answers for its own names.
    this.zones =
        zones.stream()
            .sorted(Comparator.comparingInt((Zone z) -> z.origin().labels()).reversed())
            .toList();
    this.nearest = nearest;
    this.ttl = ttl.toSeconds();
    this.failOpenTtl = Math.min(failOpenTtl.toSeconds(), this.ttl);
    this.maxUdpPayload = maxUdpPayload;
    this.meters = meters;
    this.direct = new DirectAnswer(this.zones, nearest, this.ttl, this.failOpenTtl, maxUdpPayload);
    this.failOpen = meters.counter("geodns.answers.fail.open");
    this.udpAnswered = counter(Transport.UDP, "NOERROR");
  }

  /** The response bytes for {@code wire} from {@code source}, or empty to send nothing. */
  public Optional<byte[]> handle(byte[] wire, InetAddress source, Transport transport) {
    if (wire.length < HEADER_LENGTH || (wire[2] & 0x80) != 0) {
      // Too short to answer, or a response: answering either could start a loop.
      count(transport, "dropped");
      return Optional.empty();
    }
    DirectAnswer.Answer answer;
    try {
      answer = direct.answer(wire, source, transport);
    } catch (RuntimeException e) {
      answer = null; // the general path answers, or says SERVFAIL
    }
    if (answer != null) {
      if (answer.failOpen()) {
        failOpen.increment();
      }
      if (transport == Transport.UDP) {
        udpAnswered.increment(); // the hot path's one outcome, without the map look-up
      } else {
        count(transport, "NOERROR");
      }
      return Optional.of(answer.wire());
    }
    return Optional.of(general(wire, source, transport));
  }

  /**
   * The response to a message too long to be read ({@code start} is its beginning): FORMERR, or
   * nothing for a response or a fragment shorter than a header.
   */
  public Optional<byte[]> oversized(byte[] start, Transport transport) {
    if (start.length < HEADER_LENGTH || (start[2] & 0x80) != 0) {
      count(transport, "dropped");
      return Optional.empty();
    }
    count(transport, "FORMERR");
    return Optional.of(formErr(start));
  }

  DirectAnswer direct() {
    return direct;
  }

  /** The general path: every message, read and answered with dnsjava's message classes. */
  byte[] general(byte[] wire, InetAddress source, Transport transport) {
    Message query;
    try {
      query = new Message(wire);
    } catch (Exception malformed) {
      // dnsjava throws WireParseException for most bad input and unchecked exceptions for some:
      // all of them mean a message we cannot read, which is FORMERR.
      count(transport, "FORMERR");
      return formErr(wire);
    }
    try {
      return respond(query, source, transport);
    } catch (RuntimeException e) {
      count(transport, "SERVFAIL");
      return withOpt(bare(query, Rcode.SERVFAIL), query.getOPT(), null).toWire();
    }
  }

  private byte[] respond(Message query, InetAddress source, Transport transport) {
    Header header = query.getHeader();
    OPTRecord opt = query.getOPT();
    Record question = query.getQuestion();
    if (header.getOpcode() != Opcode.QUERY) {
      return finish(withOpt(bare(query, Rcode.NOTIMP), opt, null), opt, transport);
    }
    if (header.getCount(Section.QUESTION) != 1 || question == null) {
      return finish(withOpt(bare(query, Rcode.FORMERR), opt, null), opt, transport);
    }
    if (opt != null && opt.getVersion() > 0) {
      return finish(badVersion(query), opt, transport);
    }
    Name name = question.getName();
    Zone zone = zones.stream().filter(z -> name.subdomain(z.origin())).findFirst().orElse(null);
    int type = question.getType();
    if (question.getDClass() != DClass.IN
        || zone == null
        || type == Type.AXFR
        || type == Type.IXFR) {
      // Not ours: another class, a name outside our zones, or a transfer we never offer.
      return finish(withOpt(bare(query, Rcode.REFUSED), opt, null), opt, transport);
    }
    Message response = bare(query, Rcode.NOERROR);
    response.getHeader().setFlag(Flags.AA);
    ClientSubnetOption ecs = clientSubnet(opt);
    ClientSubnetOption ecsReply = null;
    if (name.equals(zone.service())) {
      InetAddress client =
          ecs != null && ecs.getSourcePrefixLength() > 0 ? ecs.getAddress() : source;
      int scopeOf = answerService(response, zone, name, type, client);
      if (scopeOf == NO_NODES) {
        return finish(withOpt(bare(query, Rcode.SERVFAIL), opt, null), opt, transport);
      }
      if (ecs != null) {
        // Placed by the fallback: the answer holds for the client's prefix, not for everyone.
        ecsReply = echo(ecs, scopeOf < 0 ? ecs.getSourcePrefixLength() : scopeOf);
      }
    } else if (name.equals(zone.origin())) {
      answerApex(response, zone, name, type);
    } else {
      answerOther(response, zone, name, type);
    }
    if (ecs != null && ecsReply == null) {
      // Not tailored to the client: scope 0 lets the resolver cache it for everyone.
      ecsReply = echo(ecs, 0);
    }
    if (response.getSection(Section.ANSWER).isEmpty()) {
      response.addRecord(zone.soa(ttl), Section.AUTHORITY);
    }
    return finish(withOpt(response, opt, ecsReply), opt, transport);
  }

  /**
   * Returns the prefix of the database network that placed the client (-1 for the fallback), 0 when
   * the answer does not depend on the client, or {@link #NO_NODES}.
   */
  private int answerService(Message response, Zone zone, Name name, int type, InetAddress client) {
    boolean a = type == Type.A || type == Type.ANY;
    boolean aaaa = type == Type.AAAA;
    if (!a && !aaaa) {
      return 0;
    }
    return switch (nearest.choose(zone.deployment(), client, aaaa)) {
      case Choice.NoNodes none -> NO_NODES;
      case Choice.Serve serve -> {
        if (serve.failOpen()) {
          failOpen.increment();
        }
        long answerTtl = serve.failOpen() ? failOpenTtl : ttl;
        for (InetAddress address : serve.addresses()) {
          response.addRecord(address(name, answerTtl, address), Section.ANSWER);
        }
        yield serve.placement().prefixLength();
      }
    };
  }

  private void answerApex(Message response, Zone zone, Name name, int type) {
    if (type == Type.SOA || type == Type.ANY) {
      response.addRecord(zone.soa(ttl), Section.ANSWER);
    } else if (type == Type.NS) {
      for (NameServer ns : zone.nameServers()) {
        response.addRecord(new NSRecord(name, DClass.IN, ttl, ns.name()), Section.ANSWER);
        if (ns.name().subdomain(zone.origin())) {
          for (InetAddress glue : ns.addresses()) {
            response.addRecord(address(ns.name(), ttl, glue), Section.ADDITIONAL);
          }
        }
      }
    }
  }

  private void answerOther(Message response, Zone zone, Name name, int type) {
    for (NameServer ns : zone.nameServers()) {
      if (ns.name().equals(name)) {
        for (InetAddress address : ns.addresses()) {
          boolean v6 = address instanceof Inet6Address;
          if ((type == Type.AAAA && v6) || ((type == Type.A || type == Type.ANY) && !v6)) {
            response.addRecord(address(name, ttl, address), Section.ANSWER);
          }
        }
        return;
      }
    }
    boolean emptyNonTerminal =
        zone.service().subdomain(name)
            || zone.nameServers().stream().anyMatch(ns -> ns.name().subdomain(name));
    if (!emptyNonTerminal) {
      response.getHeader().setRcode(Rcode.NXDOMAIN);
    }
  }

  private static Record address(Name name, long ttl, InetAddress address) {
    return address instanceof Inet6Address
        ? new AAAARecord(name, DClass.IN, ttl, address)
        : new ARecord(name, DClass.IN, ttl, address);
  }

  private static ClientSubnetOption clientSubnet(OPTRecord opt) {
    if (opt == null) {
      return null;
    }
    List<EDNSOption> options = opt.getOptions(EDNSOption.Code.CLIENT_SUBNET);
    return options.isEmpty() ? null : (ClientSubnetOption) options.getFirst();
  }

  /**
   * The client's option with the scope set. The scope is the database network that placed the
   * address (RFC 7871 §7.2.1), so a resolver may reuse the answer for that whole network; 0 when
   * the client sent no address bits.
   */
  private static ClientSubnetOption echo(ClientSubnetOption ecs, int scope) {
    int source = ecs.getSourcePrefixLength();
    return new ClientSubnetOption(source, source == 0 ? 0 : scope, ecs.getAddress());
  }

  /** A response with the question, ID, opcode and RD copied, and nothing else. */
  private Message bare(Message query, int rcode) {
    Message response = new Message(query.getHeader().getID());
    Header header = response.getHeader();
    header.setFlag(Flags.QR);
    if (query.getHeader().getFlag(Flags.RD)) {
      header.setFlag(Flags.RD);
    }
    header.setOpcode(query.getHeader().getOpcode());
    header.setRcode(rcode);
    Record question = query.getQuestion();
    if (question != null && query.getHeader().getCount(Section.QUESTION) == 1) {
      response.addRecord(question, Section.QUESTION);
    }
    return response;
  }

  /** EDNS is answered with EDNS (RFC 6891), and only then. */
  private Message withOpt(Message response, OPTRecord queryOpt, ClientSubnetOption ecs) {
    if (queryOpt == null || response.getOPT() != null) {
      return response;
    }
    return addOpt(response, 0, ecs);
  }

  private Message addOpt(Message response, int extendedRcode, ClientSubnetOption ecs) {
    List<EDNSOption> options = ecs == null ? List.of() : List.of(ecs);
    response.addRecord(
        new OPTRecord(maxUdpPayload, extendedRcode, 0, 0, options), Section.ADDITIONAL);
    return response;
  }

  /** RFC 6891: a version we do not speak gets BADVERS (16), whose high bits live in the OPT. */
  private Message badVersion(Message query) {
    Message response = bare(query, Rcode.BADVERS & 0xF);
    return addOpt(response, Rcode.BADVERS >>> EXTENDED_RCODE_SHIFT, null);
  }

  /**
   * Serializes, and over UDP truncates to the client's limit: an answer that does not fit is sent
   * as the question alone with TC set, and the client asks again over TCP (RFC 7766).
   */
  private byte[] finish(Message response, OPTRecord queryOpt, Transport transport) {
    count(transport, Rcode.string(response.getRcode()));
    byte[] wire = response.toWire();
    if (transport == Transport.TCP) {
      return wire;
    }
    int limit =
        queryOpt == null
            ? CLASSIC_UDP_LIMIT
            : Math.clamp(queryOpt.getPayloadSize(), CLASSIC_UDP_LIMIT, maxUdpPayload);
    if (wire.length <= limit) {
      return wire;
    }
    Message truncated = new Message(response.getHeader().getID());
    Header header = truncated.getHeader();
    Header full = response.getHeader();
    for (int flag : new int[] {Flags.QR, Flags.AA, Flags.RD}) {
      if (full.getFlag(flag)) {
        header.setFlag(flag);
      }
    }
    header.setFlag(Flags.TC);
    header.setOpcode(full.getOpcode());
    header.setRcode(full.getRcode());
    truncated.addRecord(response.getQuestion(), Section.QUESTION);
    OPTRecord opt = response.getOPT();
    if (opt != null) {
      truncated.addRecord(opt, Section.ADDITIONAL);
    }
    return truncated.toWire();
  }

  /** FORMERR for a message we cannot parse: its header's ID, opcode and RD, and no sections. */
  private static byte[] formErr(byte[] wire) {
    byte[] response = new byte[HEADER_LENGTH];
    response[0] = wire[0];
    response[1] = wire[1];
    response[2] = (byte) (0x80 | (wire[2] & 0x79));
    response[3] = (byte) Rcode.FORMERR;
    return response;
  }

  /** Counters are looked up once per outcome: a registry lookup per query showed in the profile. */
  private void count(Transport transport, String outcome) {
    Map<String, Counter> outcomes = transport == Transport.UDP ? udpOutcomes : tcpOutcomes;
    Counter counter = outcomes.get(outcome);
    if (counter == null) {
      counter = counter(transport, outcome);
    }
    counter.increment();
  }

  private Counter counter(Transport transport, String outcome) {
    Map<String, Counter> outcomes = transport == Transport.UDP ? udpOutcomes : tcpOutcomes;
    return outcomes.computeIfAbsent(
        outcome,
        o ->
            meters.counter(
                "geodns.queries",
                "transport",
                transport.name().toLowerCase(Locale.ROOT),
                "rcode",
                o));
  }
}
