package dev.comments.infra.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** {@code comments dev --dns-port}: the embedded DNS server answers with the dev node alone. */
class DevDnsIT {
  @Test
  void the_dev_node_answers_its_service_name_with_itself_over_udp_and_tcp_wherever_the_client_is()
      throws Exception {
    Path work = Files.createTempDirectory(Path.of("target"), "dev-dns-it-");
    try (DevProcess node = DevProcess.start(work.resolve("data"), "--rate-limits", "off")) {
      // The banner comes once everything, the DNS server last, has started.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> node.output().contains("dns:   127.0.0.1 port " + node.dnsPort()));
      // The launcher grants native access, so UDP moves datagrams in batches.
      assertThat(node.output()).contains("datagrams per system call (recvmmsg/sendmmsg)");
      for (boolean tcp : List.of(false, true)) {
        // A London client and one the database does not know: the only node either way.
        for (String client : List.of("81.2.69.142", "10.1.2.3")) {
          Message answer = query(node.dnsPort(), tcp, client);
          assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
          assertThat(answer.getHeader().getFlag(Flags.AA)).isTrue();
          List<Record> records = answer.getSection(Section.ANSWER);
          assertThat(records).hasSize(1);
          assertThat(((ARecord) records.getFirst()).getAddress())
              .isEqualTo(InetAddress.ofLiteral("127.0.0.1"));
          assertThat(records.getFirst().getTTL()).isEqualTo(30);
        }
      }
    }
  }

  private static Message query(int port, boolean tcp, String client) throws Exception {
    SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
    resolver.setPort(port);
    resolver.setTCP(tcp);
    resolver.setTimeout(Duration.ofSeconds(3));
    resolver.setEDNS(
        0, 1232, 0, List.of(new ClientSubnetOption(32, InetAddress.ofLiteral(client))));
    return resolver.send(
        Message.newQuery(
            Record.newRecord(Name.fromConstantString("edge.comments.test."), Type.A, 1)));
  }
}
