package dev.comments.infra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NodePropertiesDnsTest {

  @Test
  void udp_threads_default_to_one_per_core_and_batches_to_32() {
    NodeProperties.Dns dns = bind(Map.of()).dns();

    assertThat(dns.udpThreads()).isZero();
    assertThat(dns.udpBatch()).isEqualTo(32);
  }

  @Test
  void reads_udp_threads_and_batch() {
    NodeProperties.Dns dns =
        bind(Map.of("comments.dns.udp-threads", "4", "comments.dns.udp-batch", "1")).dns();

    assertThat(dns.udpThreads()).isEqualTo(4);
    assertThat(dns.udpBatch()).isEqualTo(1);
  }

  @Test
  void refuses_a_batch_of_none_naming_the_setting() {
    assertThatThrownBy(() -> bind(Map.of("comments.dns.udp-batch", "0")))
        .rootCause()
        .hasMessageContaining("comments.dns.udp-batch must be 1..1024");
    assertThatThrownBy(() -> bind(Map.of("comments.dns.udp-threads", "-1")))
        .rootCause()
        .hasMessageContaining("comments.dns.udp-threads must be 0..256");
  }

  private static NodeProperties bind(Map<String, String> settings) {
    return NodePropertiesSecretsTest.bindWithDefaults(settings);
  }
}
