package dev.comments.edge.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificatesTest {
  private static final List<InetAddress> LOOPBACK = List.of(InetAddress.ofLiteral("127.0.0.1"));

  @TempDir Path dir;

  @Test
  void a_self_signed_certificate_is_made_once_and_kept_for_later_starts() throws Exception {
    X509Certificate first = Certificates.selfSignedIn(dir, List.of("localhost"), LOOPBACK);
    String written = Files.readString(dir.resolve(Certificates.CERTIFICATE_FILE));

    X509Certificate again = Certificates.selfSignedIn(dir, List.of("localhost"), LOOPBACK);

    assertThat(again).isEqualTo(first);
    assertThat(Files.readString(dir.resolve(Certificates.CERTIFICATE_FILE))).isEqualTo(written);
    assertThat(PemFiles.readPrivateKey(dir.resolve(Certificates.PRIVATE_KEY_FILE)).getAlgorithm())
        .isEqualTo("EC");
  }

  @Test
  void a_node_certificate_names_its_host_and_addresses_and_is_signed_by_its_authority()
      throws Exception {
    Certificates.Issued authority = Certificates.authority("test CA");
    Certificates.Issued node = Certificates.issue(authority, List.of("node-a"), LOOPBACK);

    node.certificate().verify(authority.certificate().getPublicKey());
    assertThat(node.certificate().getSubjectAlternativeNames())
        .extracting(name -> (Object) name.get(1))
        .containsExactly((Object) "node-a", "127.0.0.1");
    assertThat(node.certificate().getExtendedKeyUsage())
        .contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(authority.certificate().getBasicConstraints()).isZero();
    assertThat(node.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
  }
}
