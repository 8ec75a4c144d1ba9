package dev.comments.infra.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.comments.edge.tls.Certificates;
import dev.comments.edge.tls.PemFiles;
import dev.comments.infra.ApiClient;
import dev.comments.infra.ApiClient.Reply;
import dev.comments.infra.LiveClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code comments dev} with TLS, as a user runs it: a self-signed certificate made on first start,
 * kept under the data directory and printed by fingerprint; HTTPS over HTTP/2 and HTTP/1.1 beside
 * plain HTTP on loopback. That a later start keeps the certificate is {@code CertificatesTest}'s.
 */
class DevTlsIT {
  @TempDir Path work;

  @Test
  void the_first_start_makes_a_certificate_that_serves_http2_and_http11_beside_plain_http()
      throws Exception {
    Path data = work.resolve("data");
    Path certificateFile = data.resolve(DevNode.TLS_DIR).resolve(Certificates.CERTIFICATE_FILE);
    try (DevProcess node = DevProcess.start(data, "--rate-limits", "off")) {
      assertThat(certificateFile).exists();
      assertThat(data.resolve(DevNode.TLS_DIR).resolve(Certificates.PRIVATE_KEY_FILE)).exists();
      X509Certificate certificate = PemFiles.readCertificates(certificateFile).getFirst();
      String fingerprint = Certificates.fingerprint(certificate);
      // The banner follows readiness by a moment.
      String printed = "SHA-256 " + fingerprint;
      await().atMost(Duration.ofSeconds(30)).until(() -> node.output().contains(printed));

      HttpClient http2 = trusting(certificate, HttpClient.Version.HTTP_2);
      ApiClient overTls = new ApiClient(node.httpsUrl(), http2);
      String ada = overTls.session("demo", "Ada");
      Reply posted = overTls.post("demo", "tls", ada, "Over TLS", null);
      assertThat(posted.status()).isEqualTo(201);
      assertThat(posted.raw().version()).isEqualTo(HttpClient.Version.HTTP_2);
      Reply page = overTls.thread("demo", "tls", null, posted.json().get("token").asText());
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.json().get("comments").get(0).get("text").asText()).isEqualTo("Over TLS");

      HttpResponse<String> overHttp11 =
          trusting(certificate, HttpClient.Version.HTTP_1_1)
              .send(
                  HttpRequest.newBuilder(URI.create(node.httpsUrl() + "/health/ready")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(overHttp11.statusCode()).isEqualTo(200);
      assertThat(overHttp11.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      // Live threads over TLS (wss), as a widget on an HTTPS page opens them: the edge frames
      // websocket messages itself, through the TLS layer.
      URI wss =
          URI.create(
              node.httpsUrl().replace("https://", "wss://") + "/live/v1/tenants/demo/threads/tls");
      try (LiveClient.Socket live =
          LiveClient.Socket.open(trusting(certificate, HttpClient.Version.HTTP_1_1), wss)) {
        live.next("subscribed", Duration.ofSeconds(30));
        assertThat(overTls.post("demo", "tls", ada, "Live over TLS", null).status()).isEqualTo(201);
        assertThat(
                live.next("comment-posted", Duration.ofSeconds(30))
                    .get("payload")
                    .get("text")
                    .asText())
            .isEqualTo("Live over TLS");
      }
      // Plain HTTP on loopback stays for local tools and scripts.
      assertThat(node.api().thread("demo", "tls", null, null).status()).isEqualTo(200);
    }
  }

  private static HttpClient trusting(X509Certificate certificate, HttpClient.Version version)
      throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("dev", certificate);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(context)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }
}
