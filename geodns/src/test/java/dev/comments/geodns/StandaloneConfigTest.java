package dev.comments.geodns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

class StandaloneConfigTest {
  private static Properties parse(String text) throws Exception {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return p;
  }

  @Test
  void reads_zones_and_static_nodes_and_keeps_dev_defaults_for_the_rest() throws Exception {
    StandaloneConfig config =
        StandaloneConfig.from(
            parse(
                """
                database=/tmp/GeoIP2-City-Test.mmdb
                zones=comments.test., comments-eu.test.
                zone.comments-eu.test..deployment=eu
                nodes=eu-central
                node.eu-central.location=50.11,8.68
                node.eu-central.addresses=192.0.2.1, 2001:db8::1
                ttl=PT10S
                udpThreads=3
                udpBatch=8
                """));

    assertThat(config.settings().bind().getPort()).isEqualTo(GeoDnsSettings.DEV_PORT);
    assertThat(config.settings().ttl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.settings().zones()).hasSize(2);
    assertThat(config.settings().zones().get(1).deployment()).isEqualTo("eu");
    assertThat(config.settings().zones().getFirst().service())
        .isEqualTo(Name.fromConstantString("edge.comments.test."));
    assertThat(config.nodes().getFirst().addresses()).hasSize(2);
    assertThat(config.settings().udpThreads()).isEqualTo(3);
    assertThat(config.settings().udpBatch()).isEqualTo(8);
    assertThat(config.settings().maxUdpPayload()).isEqualTo(1232);
  }

  @Test
  void refuses_a_node_address_that_is_a_name() throws Exception {
    assertThatThrownBy(
            () ->
                StandaloneConfig.from(
                    parse(
                        """
                        database=/tmp/x.mmdb
                        zones=comments.test.
                        nodes=a
                        node.a.location=1,2
                        node.a.addresses=example.com
                        """)))
        .hasMessageContaining("not an IP address literal: example.com");
  }
}
