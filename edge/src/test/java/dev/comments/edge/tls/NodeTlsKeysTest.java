package dev.comments.edge.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeTlsKeysTest {
  @TempDir Path dir;

  /**
   * The native engine caches each alias's key material: an alias made anew for every handshake
   * would decrypt the key every time and, past the cache's size, make each handshake walk it.
   */
  @Test
  void every_handshake_finds_the_same_key_under_the_same_alias() {
    Certificates.selfSigned(List.of("localhost"), List.of(InetAddress.ofLiteral("127.0.0.1")))
        .writeTo(dir);
    TlsSettings settings =
        TlsSettings.of(
                0,
                dir.resolve(Certificates.CERTIFICATE_FILE),
                dir.resolve(Certificates.PRIVATE_KEY_FILE),
                Optional.empty())
            .withEngine(TlsSettings.Engine.JDK);
    try (NodeTls tls = NodeTls.start(settings)) {
      X509ExtendedKeyManager keys = tls.keyManager();

      String first = keys.chooseEngineServerAlias("EC", null, null);
      String second = keys.chooseEngineServerAlias("EC", null, null);

      assertThat(first).isNotNull().isEqualTo(second);
      assertThat(keys.getPrivateKey(second)).isSameAs(keys.getPrivateKey(first));
      assertThat(keys.getCertificateChain(first)[0]).isEqualTo(tls.certificate());
    }
  }
}
