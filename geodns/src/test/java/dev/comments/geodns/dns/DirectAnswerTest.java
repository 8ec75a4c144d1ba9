package dev.comments.geodns.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.geodns.Fleet;
import dev.comments.geodns.geo.GeoIndexReloader;
import dev.comments.geodns.node.InMemoryNodeMap;
import dev.comments.geodns.node.Node;
import dev.comments.geodns.node.NodeState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The direct path answers byte for byte as the general path does, or leaves the query to it. */
class DirectAnswerTest {
  private static final Name SERVICE = Name.fromConstantString("edge.comments.test.");
  private static final InetAddress RESOLVER = InetAddress.getLoopbackAddress();

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final InMemoryNodeMap nodes =
      new InMemoryNodeMap(
          List.of(
              Fleet.euCentral(),
              Fleet.usWest(),
              Fleet.apSoutheast(),
              Fleet.node("eu-canary", "global", Fleet.FRANKFURT, "192.0.2.9")
                  .withRegion("eu-central")
                  .withCanaryShare(0.5)));

  private QueryHandler handler(int answers) {
    GeoIndexReloader index =
        new GeoIndexReloader(
            Fleet.cityDatabase(),
            Fleet.FRANKFURT,
            Fleet.sites(List.copyOf(nodes.nodes())),
            Duration.ofDays(7),
            Clock.systemUTC(),
            meters);
    return new QueryHandler(
        List.of(
            Zone.of(
                "comments.test.",
                "global",
                "edge",
                new NameServer(
                    Name.fromConstantString("ns1.comments.test."), Fleet.parse("127.0.0.1")))),
        new NearestNodes(nodes, index, answers),
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        1232,
        meters);
  }

  @Test
  void answers_service_queries_directly_and_exactly_as_the_general_path() throws Exception {
    QueryHandler handler = handler(2);
    List<byte[]> queries =
        List.of(
            query(SERVICE, Type.A, null, true),
            query(SERVICE, Type.AAAA, null, false),
            query(Name.fromConstantString("EDGE.Comments.TEST."), Type.A, null, true),
            query(SERVICE, Type.A, opt(4096), true),
            query(SERVICE, Type.AAAA, opt(100), true),
            query(SERVICE, Type.A, opt(1232, ecs(32, "81.2.69.142")), true),
            query(SERVICE, Type.A, opt(1232, ecs(24, "216.160.83.0")), false),
            query(SERVICE, Type.AAAA, opt(1232, ecs(21, "175.16.192.0")), true),
            query(SERVICE, Type.A, opt(1232, ecs(0, "0.0.0.0")), true),
            query(SERVICE, Type.AAAA, opt(1232, ecs(48, "2001:218::")), true),
            query(SERVICE, Type.A, opt(1232, ecs(64, "2001:db8:1:2::")), true),
            query(SERVICE, Type.A, opt(1232, ecs(32, "10.1.2.3")), true));
    for (byte[] query : queries) {
      assertThat(direct(handler, query)).as(new Message(query).toString()).isNotNull();
      assertThat(handler.handle(query, RESOLVER, QueryHandler.Transport.UDP).orElseThrow())
          .as(new Message(query).toString())
          .isEqualTo(handler.general(query, RESOLVER, QueryHandler.Transport.UDP));
      assertThat(handler.handle(query, RESOLVER, QueryHandler.Transport.TCP).orElseThrow())
          .isEqualTo(handler.general(query, RESOLVER, QueryHandler.Transport.TCP));
    }
  }

  @Test
  void answers_canaries_and_fail_open_directly_and_exactly_as_the_general_path() throws Exception {
    QueryHandler handler = handler(1);
    for (int i = 0; i < 64; i++) {
      byte[] query = query(SERVICE, Type.A, opt(1232, ecs(32, "81.2.69." + (i * 4))), (i & 1) == 0);
      assertThat(handler.handle(query, RESOLVER, QueryHandler.Transport.UDP).orElseThrow())
          .isEqualTo(handler.general(query, RESOLVER, QueryHandler.Transport.UDP));
    }
    for (Node node : List.copyOf(nodes.nodes())) {
      nodes.update(node.id(), n -> n.withState(NodeState.DRAINING));
    }
    byte[] query = query(SERVICE, Type.A, opt(1232, ecs(32, "89.160.20.112")), true);
    assertThat(direct(handler, query)).isNotNull();
    assertThat(handler.handle(query, RESOLVER, QueryHandler.Transport.UDP).orElseThrow())
        .isEqualTo(handler.general(query, RESOLVER, QueryHandler.Transport.UDP));
    assertThat(meters.counter("geodns.answers.fail.open").count()).isEqualTo(2);
  }

  @Test
  void leaves_everything_else_to_the_general_path() throws Exception {
    QueryHandler handler = handler(1);
    List<byte[]> queries =
        List.of(
            query(SERVICE, Type.ANY, null, true),
            query(SERVICE, Type.MX, opt(1232), true),
            query(Name.fromConstantString("comments.test."), Type.A, null, true),
            query(Name.fromConstantString("www.edge.comments.test."), Type.A, null, true),
            query(Name.fromConstantString("edge.other.test."), Type.A, null, true),
            queryOfClass(DClass.CH),
            query(SERVICE, Type.A, opt(1232, new GenericEDNSOption(10, new byte[8])), true),
            query(SERVICE, Type.A, opt(1232, ecs(48, "2001:218::"), ecs(32, "1.2.3.4")), true),
            query(SERVICE, Type.A, opt(1232, mappedClientSubnet()), true),
            query(SERVICE, Type.A, new OPTRecord(1232, 0, 1, 0), true));
    for (int i = 0; i < queries.size(); i++) {
      assertThat(direct(handler, queries.get(i))).as("query %d", i).isNull();
    }
    nodes.remove("eu-central");
    nodes.remove("us-west");
    nodes.remove("ap-southeast");
    nodes.remove("eu-canary");
    assertThat(direct(handler, query(SERVICE, Type.A, null, true))).isNull();
  }

  private static DirectAnswer.Answer direct(QueryHandler handler, byte[] query) {
    return handler.direct().answer(query, RESOLVER, QueryHandler.Transport.UDP);
  }

  private static byte[] query(Name name, int type, OPTRecord opt, boolean recursionDesired) {
    Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
    if (!recursionDesired) {
      query.getHeader().unsetFlag(Flags.RD);
    }
    if (opt != null) {
      query.addRecord(opt, Section.ADDITIONAL);
    }
    return query.toWire();
  }

  private static byte[] queryOfClass(int dclass) {
    return Message.newQuery(Record.newRecord(SERVICE, Type.A, dclass)).toWire();
  }

  private static OPTRecord opt(int payload, EDNSOption... options) {
    return new OPTRecord(payload, 0, 0, 0, List.of(options));
  }

  /** Family 2, /128, ::ffff:81.2.69.142: dnsjava reads it as IPv4 and cannot echo it. */
  private static EDNSOption mappedClientSubnet() {
    byte[] data = new byte[20];
    data[1] = 2;
    data[2] = (byte) 128;
    data[14] = (byte) 0xff;
    data[15] = (byte) 0xff;
    byte[] v4 = {81, 2, 69, (byte) 142};
    System.arraycopy(v4, 0, data, 16, 4);
    return new GenericEDNSOption(EDNSOption.Code.CLIENT_SUBNET, data);
  }

  private static ClientSubnetOption ecs(int prefix, String address) throws Exception {
    return new ClientSubnetOption(prefix, InetAddress.getByName(address));
  }
}
