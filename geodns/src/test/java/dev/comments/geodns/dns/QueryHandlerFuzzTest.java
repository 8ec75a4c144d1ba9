package dev.comments.geodns.dns;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.comments.geodns.Fleet;
import dev.comments.geodns.geo.GeoIndexReloader;
import dev.comments.geodns.node.InMemoryNodeMap;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;

/**
 * Any bytes, as a UDP or a TCP message, are either dropped (too short, or a response) or answered
 * with a readable response to the same ID, and a UDP answer fits the largest payload we advertise.
 * Whatever the direct path answers, the general path answers with the same bytes.
 */
class QueryHandlerFuzzTest {
  private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
  private static final InMemoryNodeMap NODES = new InMemoryNodeMap(Fleet.threeRegions());
  private static final QueryHandler HANDLER =
      new QueryHandler(
          List.of(
              Zone.of(
                  "comments.test.",
                  "global",
                  "edge",
                  new NameServer(
                      Name.fromConstantString("ns1.comments.test."),
                      Fleet.parse("127.0.0.1", "::1")))),
          new NearestNodes(
              NODES,
              new GeoIndexReloader(
                  Fleet.cityDatabase(),
                  Fleet.FRANKFURT,
                  Fleet.sites(Fleet.threeRegions()),
                  Duration.ofDays(7),
                  Clock.systemUTC(),
                  METERS),
              3),
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          1232,
          METERS);

  @FuzzTest(maxDuration = "10s")
  void answers_or_drops_and_never_throws(byte[] input) throws Exception {
    boolean tcp = input.length > 0 && (input[input.length - 1] & 1) == 1;
    Optional<byte[]> response =
        HANDLER.handle(
            input,
            InetAddress.getLoopbackAddress(),
            tcp ? QueryHandler.Transport.TCP : QueryHandler.Transport.UDP);

    if (input.length < 12 || (input[2] & 0x80) != 0) {
      assertThat(response).isEmpty();
      return;
    }
    byte[] bytes = response.orElseThrow();
    QueryHandler.Transport transport =
        tcp ? QueryHandler.Transport.TCP : QueryHandler.Transport.UDP;
    if (HANDLER.direct().answer(input, InetAddress.getLoopbackAddress(), transport) != null) {
      assertThat(bytes)
          .isEqualTo(HANDLER.general(input, InetAddress.getLoopbackAddress(), transport));
    }
    assertThat(Arrays.copyOf(bytes, 2)).isEqualTo(Arrays.copyOf(input, 2));
    assertThat(bytes[2] & 0x80).isNotZero();
    Message parsed = new Message(bytes);
    assertThat(parsed.getHeader().getFlag(org.xbill.DNS.Flags.RA)).isFalse();
    if (!tcp) {
      assertThat(bytes.length).isLessThanOrEqualTo(1232);
    }
  }
}
