package dev.comments.geodns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.comments.geodns.dns.NameServer;
import dev.comments.geodns.dns.UdpListener;
import dev.comments.geodns.dns.Zone;
import dev.comments.geodns.geo.Coordinates;
import dev.comments.geodns.geo.IndexBuildException;
import dev.comments.geodns.node.InMemoryNodeMap;
import dev.comments.geodns.node.Node;
import dev.comments.geodns.node.NodeState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Once on the batched UDP path and once on the JDK channel's (a batch of 1). */
@ParameterizedClass(name = "udpBatch={0}")
@ValueSource(ints = {32, 1})
class GeoDnsServerIT {
  private static final String SERVICE = "edge.comments.test.";
  private static final String EU_SERVICE = "edge.comments-eu.test.";

  @Parameter int udpBatch;
  @TempDir Path dir;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final InMemoryNodeMap nodes = new InMemoryNodeMap(Fleet.threeRegions());
  private GeoDnsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private GeoDnsSettings settings(Path database) {
    return GeoDnsSettings.dev(database)
        .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .withFallback(Fleet.SINGAPORE)
        .withUdpBatch(udpBatch);
  }

  private Dig start(GeoDnsSettings settings) throws Exception {
    server = GeoDnsServer.start(settings, nodes, Clock.systemUTC(), meters);
    return Dig.to(server.port());
  }

  private Dig start() throws Exception {
    return start(settings(Fleet.cityDatabase()));
  }

  private static List<String> answers(Message response) {
    return response.getSection(Section.ANSWER).stream().map(r -> r.rdataToString()).toList();
  }

  private static String address(Node node, boolean ipv6) {
    return node.addresses(ipv6).getFirst().getHostAddress();
  }

  static Stream<Arguments> clients() {
    List<Arguments> all = new ArrayList<>();
    for (boolean tcp : new boolean[] {false, true}) {
      all.add(Arguments.of("81.2.69.142", 32, tcp, Fleet.euCentral()));
      all.add(Arguments.of("89.160.20.112", 32, tcp, Fleet.euCentral()));
      all.add(Arguments.of("216.160.83.56", 32, tcp, Fleet.usWest()));
      all.add(Arguments.of("175.16.199.0", 24, tcp, Fleet.apSoutheast()));
      all.add(Arguments.of("2001:218::", 56, tcp, Fleet.apSoutheast()));
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}/{1} tcp={2}")
  @MethodSource("clients")
  void answers_each_client_subnet_with_its_nearest_region(
      String client, int prefix, boolean tcp, Node nearest) throws Exception {
    Dig dig = start().tcp(tcp).clientSubnet(client, prefix);

    Message a = dig.query(SERVICE, Type.A);
    Message aaaa = dig.query(SERVICE, Type.AAAA);

    assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(answers(a)).containsExactly(address(nearest, false));
    assertThat(answers(aaaa)).containsExactly(address(nearest, true));
    assertThat(a.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(a.getHeader().getFlag(Flags.RA)).as("never recursive").isFalse();
    assertThat(a.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(30);
  }

  @Test
  void moves_udp_datagrams_in_batches_unless_the_batch_is_one() throws Exception {
    start();

    UdpListener.Io expected = udpBatch > 1 ? UdpListener.Io.RECVMMSG : UdpListener.Io.CHANNEL;
    assertThat(server.udpIo()).isEqualTo(expected);
    assertThat(
            meters
                .get("geodns.udp.sockets")
                .tag("io", expected.name().toLowerCase(Locale.ROOT))
                .gauge()
                .value())
        .isEqualTo(settings(Fleet.cityDatabase()).udpThreads());
  }

  @Test
  void echoes_the_client_subnet_with_the_scope_of_its_database_network() throws Exception {
    Message response = start().clientSubnet("81.2.69.142", 32).query(SERVICE, Type.A);

    List<EDNSOption> options = response.getOPT().getOptions(EDNSOption.Code.CLIENT_SUBNET);
    ClientSubnetOption ecs = (ClientSubnetOption) options.getFirst();
    assertThat(ecs.getSourcePrefixLength()).isEqualTo(32);
    // 81.2.69.142/31 in the test database.
    assertThat(ecs.getScopePrefixLength()).isEqualTo(31);
    assertThat(ecs.getAddress()).isEqualTo(InetAddress.getByName("81.2.69.142"));
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void places_a_client_without_ecs_by_its_source_at_the_configured_fallback(boolean tcp)
      throws Exception {
    // Loopback is in no database: the fallback (Singapore here) decides.
    Dig dig = start().tcp(tcp);
    assertThat(answers(dig.query(SERVICE, Type.A)))
        .containsExactly(address(Fleet.apSoutheast(), false));
    server.close();

    Dig oregon = start(settings(Fleet.cityDatabase()).withFallback(Fleet.OREGON)).tcp(tcp);
    assertThat(answers(oregon.query(SERVICE, Type.A)))
        .containsExactly(address(Fleet.usWest(), false));
  }

  static Stream<Arguments> outages() {
    return Stream.of(
        Arguments.of("down", (UnaryOperator<Node>) n -> n.withState(NodeState.DOWN)),
        Arguments.of("draining", (UnaryOperator<Node>) n -> n.withState(NodeState.DRAINING)),
        Arguments.of("not ready", (UnaryOperator<Node>) n -> n.withReady(false)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outages")
  void sends_eu_clients_to_the_next_nearest_node_at_once_when_eu_central_is(
      String what, UnaryOperator<Node> outage) throws Exception {
    Dig dig = start().clientSubnet("81.2.69.142", 32);
    assertThat(answers(dig.query(SERVICE, Type.A)))
        .containsExactly(address(Fleet.euCentral(), false));

    nodes.update("eu-central", outage);
    assertThat(answers(dig.query(SERVICE, Type.A))).containsExactly(address(Fleet.usWest(), false));

    nodes.put(Fleet.euCentral());
    assertThat(answers(dig.query(SERVICE, Type.A)))
        .containsExactly(address(Fleet.euCentral(), false));
  }

  @Test
  void fails_open_to_the_nearest_node_with_a_short_ttl_when_no_node_serves() throws Exception {
    Dig dig = start().clientSubnet("81.2.69.142", 32);
    for (Node node : Fleet.threeRegions()) {
      nodes.update(node.id(), n -> n.withState(NodeState.DOWN));
    }

    Message response = dig.query(SERVICE, Type.A);

    assertThat(answers(response)).containsExactly(address(Fleet.euCentral(), false));
    assertThat(response.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(5);
    assertThat(meters.get("geodns.answers.fail.open").counter().count()).isEqualTo(1);
  }

  @Test
  void scopes_a_fallback_answer_to_the_clients_own_prefix() throws Exception {
    Message response = start().clientSubnet("10.1.2.0", 24).query(SERVICE, Type.A);

    ClientSubnetOption ecs =
        (ClientSubnetOption) response.getOPT().getOptions(EDNSOption.Code.CLIENT_SUBNET).getFirst();
    assertThat(answers(response)).containsExactly(address(Fleet.apSoutheast(), false));
    assertThat(ecs.getScopePrefixLength()).isEqualTo(24);
  }

  @Test
  void answers_n_nearest_addresses_when_configured() throws Exception {
    Dig dig = start(settings(Fleet.cityDatabase()).withAnswers(2)).clientSubnet("81.2.69.142", 32);

    assertThat(answers(dig.query(SERVICE, Type.A)))
        .containsExactly(address(Fleet.euCentral(), false), address(Fleet.usWest(), false));
  }

  @Test
  void a_port_another_process_holds_is_named_in_the_failure() throws Exception {
    try (DatagramSocket held = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      GeoDnsSettings settings =
          settings(Fleet.cityDatabase())
              .withBind(
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), held.getLocalPort()));

      assertThatThrownBy(() -> GeoDnsServer.start(settings, nodes, Clock.systemUTC(), meters))
          .isInstanceOf(BindException.class)
          .hasMessageStartingWith(
              "cannot listen for DNS (UDP and TCP) on 127.0.0.1 port " + held.getLocalPort() + ":");
    }
  }

  @Test
  void answers_each_zone_only_with_its_own_deployments_nodes() throws Exception {
    Zone eu =
        Zone.of(
            "comments-eu.test.",
            "eu",
            "edge",
            new NameServer(Name.fromConstantString("ns1.comments-eu.test."), List.of()));
    GeoDnsSettings settings = settings(Fleet.cityDatabase());
    settings = settings.withZones(List.of(settings.zones().getFirst(), eu));
    nodes.put(Fleet.node("eu-paris", "eu", new Coordinates(48.86, 2.35), "198.51.100.7"));
    Dig us = start(settings).clientSubnet("216.160.83.56", 32);

    assertThat(answers(us.query(SERVICE, Type.A))).containsExactly(address(Fleet.usWest(), false));
    assertThat(answers(us.query(EU_SERVICE, Type.A))).containsExactly("198.51.100.7");
    // The global nodes of Europe never answer for the EU zone, even when its only node is out.
    nodes.update("eu-paris", n -> n.withState(NodeState.DOWN));
    assertThat(answers(us.query(EU_SERVICE, Type.A))).containsExactly("198.51.100.7");
    nodes.remove("eu-paris");
    assertThat(us.query(EU_SERVICE, Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
  }

  @Test
  void answers_soa_and_ns_at_the_apex_with_glue() throws Exception {
    Dig dig = start();

    Message soa = dig.query("comments.test.", Type.SOA);
    Message ns = dig.query("comments.test.", Type.NS);

    assertThat(soa.getSection(Section.ANSWER)).singleElement().isInstanceOf(SOARecord.class);
    assertThat(answers(ns)).containsExactly("ns1.comments.test.");
    assertThat(ns.getSection(Section.ADDITIONAL).stream().map(Record::getName))
        .contains(Name.fromConstantString("ns1.comments.test."));
    assertThat(answers(dig.query("ns1.comments.test.", Type.A))).containsExactly("127.0.0.1");
  }

  @Test
  void answers_nxdomain_for_unknown_names_and_nodata_for_other_types_with_the_soa()
      throws Exception {
    Dig dig = start();

    Message nx = dig.query("nope.comments.test.", Type.A);
    Message mx = dig.query(SERVICE, Type.MX);
    Message apexA = dig.query("comments.test.", Type.A);

    assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    for (Message nodata : List.of(mx, apexA)) {
      assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
    }
    for (Message negative : List.of(nx, mx, apexA)) {
      assertThat(negative.getSection(Section.AUTHORITY))
          .singleElement()
          .isInstanceOf(SOARecord.class);
      assertThat(negative.getHeader().getFlag(Flags.AA)).isTrue();
    }
  }

  @Test
  void refuses_names_outside_its_zones_and_other_classes() throws Exception {
    Dig dig = start();

    assertThat(dig.query("example.com.", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(dig.query("comments.test.evil.", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(dig.dclass(DClass.CH).query("version.bind.", Type.TXT).getRcode())
        .isEqualTo(Rcode.REFUSED);
    assertThat(dig.dclass(DClass.CH).query(SERVICE, Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
  }

  @Test
  void sets_tc_over_udp_when_the_answer_does_not_fit_and_answers_whole_over_tcp() throws Exception {
    List<String> expected = new ArrayList<>(List.of("2001:db8::1", "2001:db8::2", "2001:db8::3"));
    for (int i = 0; i < 60; i++) {
      String v6 = "2001:db8:1::" + Integer.toHexString(i + 1);
      nodes.put(Fleet.node("n" + i, "global", Fleet.FRANKFURT, "192.0.2." + (i + 10), v6));
      expected.add(v6);
    }
    // 63 AAAA records are about 1,800 bytes: more than 512 and more than 1,232.
    Dig dig = start(settings(Fleet.cityDatabase()).withAnswers(64));

    for (Dig udp : List.of(Dig.to(server.port()).noEdns(), dig)) {
      Message truncated = udp.query(SERVICE, Type.AAAA);
      assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
      assertThat(truncated.getSection(Section.ANSWER)).isEmpty();
    }
    Message whole = Dig.to(server.port()).tcp(true).query(SERVICE, Type.AAAA);
    assertThat(whole.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(answers(whole)).hasSize(63);
    assertThat(Fleet.parse(answers(whole).toArray(String[]::new)))
        .containsExactlyInAnyOrderElementsOf(Fleet.parse(expected.toArray(String[]::new)));
  }

  @Test
  void follows_a_new_database_file_without_restarting() throws Exception {
    Path database = dir.resolve("GeoIP.mmdb");
    Files.copy(Fleet.cityDatabase(), database);
    Dig dig =
        start(settings(database).withCheckFileEvery(Duration.ofMillis(100)))
            .clientSubnet("2.2.3.1", 32);
    assertThat(answers(dig.query(SERVICE, Type.A)))
        .containsExactly(address(Fleet.euCentral(), false));

    // Oxford is missing from the GeoLite2 test database: it moves to the fallback (Singapore).
    Path staged = dir.resolve("staged.mmdb");
    Files.copy(Fleet.database("GeoLite2-City-Test.mmdb"), staged);
    Files.move(
        staged, database, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(answers(dig.query(SERVICE, Type.A)))
                    .containsExactly(address(Fleet.apSoutheast(), false)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GeoIP2-City-Test-Broken-Double-Format.mmdb",
        "GeoIP2-City-Test-Invalid-Node-Count.mmdb"
      })
  void refuses_to_start_on_a_broken_database_and_keeps_answering_when_one_arrives_later(
      String broken) throws Exception {
    assertThatThrownBy(() -> start(settings(Fleet.database(broken))))
        .isInstanceOf(IndexBuildException.class)
        .hasMessageContaining(broken);

    Path database = dir.resolve("GeoIP.mmdb");
    Files.copy(Fleet.cityDatabase(), database);
    Dig dig = start(settings(database)).clientSubnet("81.2.69.142", 32);
    Files.copy(Fleet.database(broken), database, StandardCopyOption.REPLACE_EXISTING);

    assertThat(server.reloadIndex()).isFalse();
    assertThat(answers(dig.query(SERVICE, Type.A)))
        .containsExactly(address(Fleet.euCentral(), false));
    assertThat(meters.get("geodns.index.rebuild.failing").gauge().value()).isEqualTo(1.0);
  }
}
