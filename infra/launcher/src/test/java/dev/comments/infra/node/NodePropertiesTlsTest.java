package dev.comments.infra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.edge.tls.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;

class NodePropertiesTlsTest {

  @Test
  void tls_is_off_unless_enabled() {
    assertThat(bind(Map.of()).tls().toSettings()).isEqualTo(TlsSettings.NONE);
  }

  @Test
  void an_enabled_node_redirects_plain_http_and_sends_hsts_by_default() {
    TlsSettings tls =
        bind(Map.of(
                "comments.tls.enabled", "true",
                "comments.tls.certificate", "/etc/comments/fullchain.pem",
                "comments.tls.private-key", "/etc/comments/privkey.pem",
                "comments.tls.trusted-certificates", "/etc/comments/ca.pem",
                "comments.tls.client-auth", "require"))
            .tls()
            .toSettings();

    assertThat(tls.port()).isEqualTo(8443);
    assertThat(tls.certificate()).isEqualTo(Path.of("/etc/comments/fullchain.pem"));
    assertThat(tls.trustedCertificates()).isEqualTo(Optional.of(Path.of("/etc/comments/ca.pem")));
    assertThat(tls.clientAuth()).isEqualTo(TlsSettings.ClientAuth.REQUIRE);
    assertThat(tls.redirectHttp()).isTrue();
    assertThat(tls.hstsMaxAge()).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void refuses_tls_without_its_pem_files_and_mutual_tls_without_a_ca_naming_the_settings() {
    assertThatThrownBy(() -> bind(Map.of("comments.tls.enabled", "true")))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessageContaining("comments.tls.certificate and comments.tls.private-key");
    assertThatThrownBy(
            () ->
                bind(
                    Map.of(
                        "comments.tls.enabled", "true",
                        "comments.tls.certificate", "c.pem",
                        "comments.tls.private-key", "k.pem",
                        "comments.tls.client-auth", "require")))
        .rootCause()
        .hasMessageContaining("comments.tls.trusted-certificates");
    assertThatThrownBy(() -> bind(Map.of("comments.tls.client-auth", "sometimes")))
        .rootCause()
        .hasMessageContaining("none, want or require");
  }

  @Test
  void the_tls_engine_is_auto_by_default_may_be_native_or_jdk_and_nothing_else() {
    Map<String, String> enabled =
        Map.of(
            "comments.tls.enabled", "true",
            "comments.tls.certificate", "c.pem",
            "comments.tls.private-key", "k.pem");
    assertThat(bind(enabled).tls().toSettings().engine()).isEqualTo(TlsSettings.Engine.AUTO);
    for (String engine : List.of("native", "jdk")) {
      Map<String, String> chosen = new HashMap<>(enabled);
      chosen.put("comments.tls.engine", engine);
      assertThat(bind(chosen).tls().toSettings().engine().name())
          .isEqualTo(engine.toUpperCase(Locale.ROOT));
    }
    assertThatThrownBy(() -> bind(Map.of("comments.tls.engine", "openssl")))
        .rootCause()
        .hasMessageContaining("comments.tls.engine must be auto, native or jdk");
  }

  @Test
  void peers_and_the_primary_may_be_https_urls() {
    NodeProperties properties =
        bind(
            Map.of(
                "comments.node.role", "replica",
                "comments.node.primary-url", "https://10.0.0.1:8443",
                "comments.mesh.peers", "https://10.0.0.1:8443,https://10.0.0.3:8443"));

    assertThat(properties.node().primaryUrl()).isEqualTo("https://10.0.0.1:8443");
    assertThat(properties.mesh().peers()).hasSize(2);
  }

  private static NodeProperties bind(Map<String, String> settings) {
    return NodePropertiesSecretsTest.bindWithDefaults(settings);
  }
}
