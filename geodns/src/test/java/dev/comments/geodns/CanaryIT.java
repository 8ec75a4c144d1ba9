package dev.comments.geodns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.geodns.node.InMemoryNodeMap;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A canary node taking its share of its region's answers, over real UDP. Clients in private space
 * are placed at the fallback, Frankfurt, so a thousand distinct addresses are a thousand eu-central
 * clients.
 */
class CanaryIT {
  private static final String SERVICE = "edge.comments.test.";
  private static final String CANARY = "192.0.2.11";
  private static final String ORDINARY = "192.0.2.1";

  private final InMemoryNodeMap nodes =
      new InMemoryNodeMap(
          List.of(
              Fleet.euCentral(),
              Fleet.node("eu-central-canary", "global", Fleet.FRANKFURT, CANARY)
                  .withRegion("eu-central")
                  .withCanaryShare(0.1),
              Fleet.usWest(),
              Fleet.apSoutheast()));
  private GeoDnsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Dig start() throws Exception {
    server =
        GeoDnsServer.start(
            GeoDnsSettings.dev(Fleet.cityDatabase())
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withRateLimit(0, 0),
            nodes,
            Clock.systemUTC(),
            new SimpleMeterRegistry());
    return Dig.to(server.port());
  }

  @Test
  void
      a_canary_with_a_tenth_share_answers_about_a_tenth_of_its_regions_clients_and_the_same_ones_each_time()
          throws Exception {
    Dig dig = start();
    List<String> clients = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      clients.add("10." + (i / 250) + "." + (i % 250) + ".7");
    }
    List<String> first = answers(dig, clients);

    long canary = first.stream().filter(CANARY::equals).count();
    assertThat(canary).isBetween(60L, 140L);
    assertThat(first).containsOnly(CANARY, ORDINARY);
    assertThat(answers(dig, clients.subList(0, 200))).isEqualTo(first.subList(0, 200));
  }

  @Test
  void a_canary_takes_nothing_from_other_regions_and_everything_of_its_own_once_it_is_alone()
      throws Exception {
    Dig dig = start();
    assertThat(answer(dig, "216.160.83.56")).isEqualTo("192.0.2.2");

    nodes.update("eu-central", n -> n.withReady(false));
    List<String> alone = answers(dig, List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"));
    assertThat(alone).containsOnly(CANARY);
  }

  @Test
  void a_canary_that_does_not_serve_leaves_its_share_to_the_ordinary_nodes() throws Exception {
    Dig dig = start();
    nodes.update("eu-central-canary", n -> n.withReady(false));
    List<String> clients = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      clients.add("10.9." + i + ".1");
    }

    assertThat(answers(dig, clients)).containsOnly(ORDINARY);
  }

  private static List<String> answers(Dig dig, List<String> clients) throws Exception {
    List<String> answers = new ArrayList<>();
    for (String client : clients) {
      answers.add(answer(dig, client));
    }
    return answers;
  }

  private static String answer(Dig dig, String client) throws Exception {
    Message response = dig.clientSubnet(client, 32).query(SERVICE, Type.A);
    return response.getSection(Section.ANSWER).getFirst().rdataToString();
  }
}
