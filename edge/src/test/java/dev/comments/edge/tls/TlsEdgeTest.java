package dev.comments.edge.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.comments.edge.EdgeServer;
import dev.comments.edge.EdgeSettings;
import dev.comments.edge.NodeRole;
import dev.comments.edge.ReadSide;
import dev.comments.edge.testing.FakeProjectionStatus;
import dev.comments.edge.testing.FixedPositions;
import dev.comments.edge.testing.FreePorts;
import dev.comments.edge.testing.InMemoryIdempotencyKeys;
import dev.comments.edge.testing.InMemoryRevocations;
import dev.comments.edge.testing.QuietFeeds;
import dev.comments.edge.testing.RecordingCommands;
import dev.comments.edge.testing.RecordingQueries;
import dev.comments.edge.testing.TestEdgeSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.ServerOnlyTlsAuthentication;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTPS listener, with real handshakes: protocols, reloads, refusals and slow clients. */
class TlsEdgeTest {
  private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");

  /**
   * What a client offers by default. The JDK's client asks for HTTP/2 by ALPN only when TLS 1.2 is
   * among its protocols, even when 1.3 is then agreed.
   */
  private static final String[] MODERN = {"TLSv1.3", "TLSv1.2"};

  @TempDir Path dir;

  private final List<AutoCloseable> open = new ArrayList<>();
  private PrometheusMeterRegistry meters;

  /**
   * The engine every listener of this class runs; {@link JdkTlsEdgeTest} runs them on the JDK's.
   */
  TlsSettings.Engine engine() {
    return TlsSettings.Engine.NATIVE;
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : open.reversed()) {
      closeable.close();
    }
  }

  @Test
  void answers_over_http2_with_tls_13_and_over_http11_with_tls_12() throws Exception {
    Certificates.Issued certificate = selfSigned();
    EdgeServer edge = start(tlsWith(certificate));
    URI health = https(edge, "/health/live");

    HttpResponse<String> overHttp2 =
        clientTrusting(certificate.certificate(), HttpClient.Version.HTTP_2, MODERN)
            .send(HttpRequest.newBuilder(health).build(), BodyHandlers.ofString());
    HttpResponse<String> overHttp11 =
        clientTrusting(certificate.certificate(), HttpClient.Version.HTTP_1_1, "TLSv1.2")
            .send(HttpRequest.newBuilder(health).build(), BodyHandlers.ofString());

    assertThat(overHttp2.statusCode()).isEqualTo(200);
    assertThat(overHttp2.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(overHttp2.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(overHttp11.statusCode()).isEqualTo(200);
    assertThat(overHttp11.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(overHttp11.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.2");
    assertThat(NodeTls.CIPHER_SUITES)
        .contains(overHttp11.sslSession().orElseThrow().getCipherSuite());
    // Plain HTTP stays on beside it (dev nodes, local tools), without a redirect or HSTS.
    HttpResponse<String> plain =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + edge.port() + "/health/live"))
                    .build(),
                BodyHandlers.ofString());
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(overHttp2.headers().firstValue("Strict-Transport-Security")).isEmpty();
  }

  @Test
  void the_engine_asked_for_serves_the_connections_and_the_metrics_name_it() throws Exception {
    Certificates.Issued certificate = selfSigned();
    EdgeServer edge = start(tlsWith(certificate));
    NodeTls tls = edge.tls().orElseThrow();
    long madeBefore = enginesMade(tls);

    HttpResponse<String> answer =
        clientTrusting(certificate.certificate(), HttpClient.Version.HTTP_2, MODERN)
            .send(
                HttpRequest.newBuilder(https(edge, "/health/live")).build(),
                BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_2);
    String expected = engine() == TlsSettings.Engine.NATIVE ? "native" : "jdk";
    assertThat(tls.engine()).isEqualTo(expected);
    assertThat(meters.get("comments.tls.engine").tag("engine", expected).gauge().value())
        .isEqualTo(1.0);
    if (engine() == TlsSettings.Engine.NATIVE) {
      assertThat(tls.listenerContext()).isInstanceOf(NativeTls.Context.class);
      assertThat(tls.listenerContext().createSSLEngine())
          .isInstanceOf(CoalescingSslEngine.class)
          .asString()
          .contains("io.netty.handler.ssl.");
      // The connection just served had its engine from the native context.
      assertThat(enginesMade(tls)).isGreaterThan(madeBefore);
    } else {
      assertThat(tls.listenerContext()).isSameAs(tls.context());
    }
  }

  /**
   * The handshake fails. The JDK's engine says why with {@code alert}; the native engine's refusal
   * reaches XNIO as an exception before its alert is written, so the client sees the connection
   * closed mid-handshake (Bouncy Castle reports that as its own handshake_failure).
   */
  private void assertRefused(ThrowingCallable handshake, short alert) {
    if (engine() == TlsSettings.Engine.JDK) {
      assertThatThrownBy(handshake)
          .isInstanceOfSatisfying(
              TlsFatalAlertReceived.class,
              received -> assertThat(received.getAlertDescription()).isEqualTo(alert));
    } else {
      assertThatThrownBy(handshake).isInstanceOf(IOException.class);
    }
  }

  private static long enginesMade(NodeTls tls) {
    return tls.listenerContext() instanceof NativeTls.Context nativeContext
        ? nativeContext.enginesMade()
        : 0;
  }

  @Test
  void a_changed_certificate_reaches_new_connections_while_an_open_one_keeps_going()
      throws Exception {
    Certificates.Issued first = selfSigned();
    Certificates.Issued second = selfSigned();
    EdgeServer edge = start(tlsWith(first).withReloadInterval(Duration.ofMillis(100)));
    URI health = https(edge, "/health/live");
    HttpClient staying = clientTrusting(List.of(first.certificate(), second.certificate()));
    HttpResponse<String> before =
        staying.send(HttpRequest.newBuilder(health).build(), BodyHandlers.ofString());
    assertThat(peer(before)).isEqualTo(first.certificate());
    assertThat(before.version()).isEqualTo(HttpClient.Version.HTTP_2);

    second.writeTo(dir);

    // Until the reload, a client trusting only the new certificate refuses the old one.
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptionsInstanceOf(SSLHandshakeException.class)
        .until(
            () ->
                peer(clientTrusting(List.of(second.certificate()))
                        .send(HttpRequest.newBuilder(health).build(), BodyHandlers.ofString()))
                    .equals(second.certificate()));
    assertThat(edge.tls().orElseThrow().fingerprint()).isEqualTo(second.fingerprint());
    // The HTTP/2 connection opened before the change is still the one in use: same session, same
    // (old) certificate, and it still answers.
    HttpResponse<String> after =
        staying.send(HttpRequest.newBuilder(health).build(), BodyHandlers.ofString());
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.sslSession().orElseThrow().getId())
        .isEqualTo(before.sslSession().orElseThrow().getId());
    assertThat(peer(after)).isEqualTo(first.certificate());
  }

  @Test
  void a_half_written_certificate_leaves_the_current_one_in_place() throws Exception {
    Certificates.Issued certificate = selfSigned();
    EdgeServer edge = start(tlsWith(certificate).withReloadInterval(Duration.ofMillis(50)));
    Files.writeString(
        dir.resolve(Certificates.CERTIFICATE_FILE), "-----BEGIN CERTIFICATE-----\nMII");
    NodeTls tls = edge.tls().orElseThrow();
    tls.reloadIfChanged();

    HttpResponse<String> answer =
        clientTrusting(certificate.certificate(), HttpClient.Version.HTTP_2, MODERN)
            .send(
                HttpRequest.newBuilder(https(edge, "/health/live")).build(),
                BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(tls.fingerprint()).isEqualTo(certificate.fingerprint());
  }

  @Test
  void refuses_tls_10_and_11_clients_and_takes_the_same_client_at_tls_12() throws Exception {
    EdgeServer edge = start(tlsWith(selfSigned()));
    int port = edge.httpsPort().orElseThrow();

    for (ProtocolVersion old : List.of(ProtocolVersion.TLSv10, ProtocolVersion.TLSv11)) {
      assertRefused(() -> handshake(port, old), AlertDescription.protocol_version);
    }
    assertThat(handshake(port, ProtocolVersion.TLSv12)).isEqualTo(ProtocolVersion.TLSv12);
  }

  @Test
  void refuses_a_tls_12_client_that_offers_only_cbc_suites_which_the_jdk_alone_would_take()
      throws Exception {
    EdgeServer edge = start(tlsWith(selfSigned()));

    assertRefused(
        () ->
            handshake(
                edge.httpsPort().orElseThrow(),
                ProtocolVersion.TLSv12,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256),
        AlertDescription.handshake_failure);
  }

  @Test
  void a_tls_12_client_that_renegotiates_is_refused() throws Exception {
    Certificates.Issued certificate = selfSigned();
    EdgeServer edge = start(tlsWith(certificate));
    SSLSocket socket =
        (SSLSocket)
            trusting(List.of(certificate.certificate()))
                .getSocketFactory()
                .createSocket(LOOPBACK, edge.httpsPort().orElseThrow());
    open.add(socket);
    socket.setEnabledProtocols(new String[] {"TLSv1.2"});
    socket.setSoTimeout(5_000);
    byte[] request =
        "GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    socket.getOutputStream().write(request);
    assertThat(new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
        .isEqualTo("HTTP/1.1 200");

    socket.startHandshake();

    assertThatThrownBy(
            () -> {
              socket.getOutputStream().write(request);
              socket.getInputStream().readAllBytes();
            })
        .isInstanceOf(IOException.class);
  }

  @Test
  void plain_http_sent_to_the_tls_port_gets_no_answer_and_a_closed_connection() throws Exception {
    Certificates.Issued certificate = selfSigned();
    EdgeServer edge = start(tlsWith(certificate));

    try (Socket socket = new Socket(LOOPBACK, edge.httpsPort().orElseThrow())) {
      socket.setSoTimeout(5_000);
      socket
          .getOutputStream()
          .write(
              "GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] received = readUntilClosed(socket.getInputStream());
      assertThat(new String(received, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/");
    }
    // The listener is none the worse for it.
    assertThat(
            clientTrusting(certificate.certificate(), HttpClient.Version.HTTP_2, MODERN)
                .send(
                    HttpRequest.newBuilder(https(edge, "/health/live")).build(),
                    BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void a_client_trickling_its_headers_over_tls_is_cut_off_after_the_header_timeout()
      throws Exception {
    Certificates.Issued certificate = selfSigned();
    EdgeServer edge = start(tlsWith(certificate), Duration.ofSeconds(1));

    SSLSocket socket =
        (SSLSocket)
            trusting(List.of(certificate.certificate()))
                .getSocketFactory()
                .createSocket(LOOPBACK, edge.httpsPort().orElseThrow());
    open.add(socket);
    socket.startHandshake();
    OutputStream out = socket.getOutputStream();
    out.write("GET /health/live HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    long started = System.nanoTime();
    // One header byte every 200 ms: never idle, never done.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> !sendsAnotherByte(out));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
  }

  @Test
  void a_client_trickling_its_body_over_tls_and_http11_is_cut_off_after_the_body_timeout()
      throws Exception {
    Certificates.Issued certificate = selfSigned();
    EdgeServer edge = start(tlsWith(certificate), Duration.ofSeconds(1));
    SSLSocket socket = handshaken(certificate, "http/1.1", edge);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /api/v1/tenants/demo/sessions HTTP/1.1\r\nHost: a\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    long started = System.nanoTime();

    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> !sendsAnotherByte(out));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
  }

  @Test
  void
      an_http2_client_trickling_its_headers_in_continuation_frames_is_cut_off_after_the_header_timeout()
          throws Exception {
    Certificates.Issued certificate = selfSigned();
    EdgeServer edge = start(tlsWith(certificate), Duration.ofSeconds(1));
    SSLSocket socket = handshaken(certificate, "h2", edge);
    Http2Frames frames = new Http2Frames(socket);
    frames.preface();
    frames.headers(
        1,
        true,
        false,
        List.of(
            Map.entry(":method", "GET"),
            Map.entry(":scheme", "https"),
            Map.entry(":authority", "a"),
            Map.entry(":path", "/health/live")));
    long started = System.nanoTime();

    // One CONTINUATION frame of one header field every 200 ms: never idle, the headers never done.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> frames.streamEnded(1) || !frames.sendsContinuation(1));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
  }

  @Test
  void an_http2_stream_trickling_its_body_is_cut_off_after_the_body_timeout() throws Exception {
    Certificates.Issued certificate = selfSigned();
    EdgeServer edge = start(tlsWith(certificate), Duration.ofSeconds(1));
    SSLSocket socket = handshaken(certificate, "h2", edge);
    assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
    Http2Frames frames = new Http2Frames(socket);
    frames.preface();
    frames.headers(
        1,
        false,
        true,
        List.of(
            Map.entry(":method", "POST"),
            Map.entry(":scheme", "https"),
            Map.entry(":authority", "a"),
            Map.entry(":path", "/api/v1/tenants/demo/sessions"),
            Map.entry("content-type", "application/json"),
            Map.entry("content-length", "1000")));
    long started = System.nanoTime();

    // One body byte every 200 ms: the stream is never idle, the body never done.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> frames.streamEnded(1) || !frames.sendsDataByte(1));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
    // The listener is none the worse for it.
    assertThat(
            clientTrusting(certificate.certificate(), HttpClient.Version.HTTP_2, MODERN)
                .send(
                    HttpRequest.newBuilder(https(edge, "/health/live")).build(),
                    BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void a_client_that_stalls_its_tls_handshake_is_dropped_after_the_timeout_and_others_go_on()
      throws Exception {
    Certificates.Issued certificate = selfSigned();
    EdgeServer edge = start(tlsWith(certificate), Duration.ofSeconds(1));
    int port = edge.httpsPort().orElseThrow();
    SSLSocket handshaken = handshaken(certificate, "http/1.1", edge);
    Socket silent = new Socket(LOOPBACK, port);
    open.add(silent);
    Socket halfHello = new Socket(LOOPBACK, port);
    open.add(halfHello);
    byte[] hello = clientHello();
    halfHello.getOutputStream().write(hello, 0, hello.length / 2);
    long started = System.nanoTime();

    for (Socket stalled : List.of(silent, halfHello)) {
      stalled.setSoTimeout(10_000);
      assertThat(readUntilClosed(stalled.getInputStream())).isEmpty();
    }

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
    // A connection past its handshake is not bound by it: it still answers, after the deadline.
    handshaken.setSoTimeout(5_000);
    handshaken
        .getOutputStream()
        .write("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(new String(handshaken.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
        .isEqualTo("HTTP/1.1 200");
  }

  @Test
  void an_edge_given_the_node_tls_uses_it_and_leaves_it_to_its_owner() throws Exception {
    Certificates.Issued certificate = selfSigned();
    TlsSettings settings = tlsWith(certificate);
    NodeTls shared = NodeTls.start(settings);
    open.add(shared);
    InMemoryRevocations revocations = new InMemoryRevocations();
    NodeRole role =
        new NodeRole.Primary(
            new RecordingCommands(),
            new InMemoryIdempotencyKeys(),
            new FixedPositions(),
            revocations);
    ReadSide readSide =
        new ReadSide(
            new RecordingQueries(), new QuietFeeds(), new FakeProjectionStatus(), revocations);
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    try (EdgeServer edge =
        EdgeServer.start(
            settings(settings, Duration.ofSeconds(5)),
            role,
            readSide,
            Optional.empty(),
            shared,
            meters,
            Clock.systemUTC())) {
      assertThat(edge.tls()).containsSame(shared);
      assertThat(
              peer(
                  clientTrusting(certificate.certificate(), HttpClient.Version.HTTP_2, MODERN)
                      .send(
                          HttpRequest.newBuilder(https(edge, "/health/live")).build(),
                          BodyHandlers.ofString())))
          .isEqualTo(certificate.certificate());
    }
    // Still the owner's: its context still makes connections once the edge is gone.
    assertThat(shared.context().createSSLEngine()).isNotNull();
    assertThat(shared.certificate()).isEqualTo(certificate.certificate());
    assertThatThrownBy(
            () ->
                EdgeServer.start(
                    settings(
                        settings.withReloadInterval(Duration.ofSeconds(1)), Duration.ofSeconds(5)),
                    role,
                    readSide,
                    Optional.empty(),
                    shared,
                    meters,
                    Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void in_production_plain_http_redirects_to_https_but_health_checks_and_https_answers_carry_hsts()
      throws Exception {
    Certificates.Issued certificate = selfSigned();
    EdgeServer edge = start(tlsWith(certificate).withRedirectAndHsts(Duration.ofDays(365)));
    HttpClient plain =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    open.add(plain);
    String base = "http://127.0.0.1:" + edge.port();

    HttpResponse<String> page =
        plain.send(
            HttpRequest.newBuilder(
                    URI.create(base + "/api/v1/tenants/demo/threads/t1/comments?x=1"))
                .build(),
            BodyHandlers.ofString());
    HttpResponse<String> health =
        plain.send(
            HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
            BodyHandlers.ofString());
    HttpResponse<String> secure =
        clientTrusting(certificate.certificate(), HttpClient.Version.HTTP_2, MODERN)
            .send(
                HttpRequest.newBuilder(https(edge, "/health/live")).build(),
                BodyHandlers.ofString());

    assertThat(page.statusCode()).isEqualTo(308);
    assertThat(page.headers().firstValue("Location"))
        .contains(
            "https://127.0.0.1:"
                + edge.httpsPort().orElseThrow()
                + "/api/v1/tenants/demo/threads/t1/comments?x=1");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.headers().firstValue("Strict-Transport-Security")).isEmpty();
    assertThat(secure.headers().firstValue("Strict-Transport-Security"))
        .contains("max-age=31536000");
  }

  @Test
  void with_mutual_tls_a_node_certificate_of_the_deployment_gets_in_and_no_certificate_does_not()
      throws Exception {
    Certificates.Issued authority = Certificates.authority("comments test CA");
    Path ca = dir.resolve("ca.pem");
    PemFiles.write(ca, authority.certificate());
    Path serverDir = dir.resolve("server");
    Certificates.issue(authority, List.of("localhost"), List.of(LOOPBACK)).writeTo(serverDir);
    Path clientDir = dir.resolve("client");
    Certificates.issue(authority, List.of("node-b"), List.of(LOOPBACK)).writeTo(clientDir);
    TlsSettings serverTls =
        TlsSettings.of(
                0,
                serverDir.resolve(Certificates.CERTIFICATE_FILE),
                serverDir.resolve(Certificates.PRIVATE_KEY_FILE),
                Optional.of(ca))
            .withClientAuth(TlsSettings.ClientAuth.REQUIRE)
            .withEngine(engine());
    EdgeServer edge = start(serverTls);
    NodeTls otherNode =
        NodeTls.start(
            TlsSettings.of(
                0,
                clientDir.resolve(Certificates.CERTIFICATE_FILE),
                clientDir.resolve(Certificates.PRIVATE_KEY_FILE),
                Optional.of(ca)));
    open.add(otherNode);
    HttpClient asNode = otherNode.configure(HttpClient.newBuilder()).build();
    open.add(asNode);
    HttpRequest request = HttpRequest.newBuilder(https(edge, "/health/live")).build();

    assertThat(asNode.send(request, BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    HttpClient anonymous = clientTrusting(List.of(authority.certificate()));
    assertThatThrownBy(() -> anonymous.send(request, BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void a_replica_forwards_commands_to_its_primary_over_tls_also_after_the_primary_restarts()
      throws Exception {
    Certificates.Issued authority = Certificates.authority("comments test CA");
    Path ca = dir.resolve("ca.pem");
    PemFiles.write(ca, authority.certificate());
    TlsSettings primaryTls = issued(authority, "primary", ca);
    TlsSettings replicaTls = issued(authority, "replica", ca);
    int primaryPort = FreePorts.next();
    TlsSettings onPort =
        new TlsSettings(
            true,
            primaryPort,
            primaryTls.certificate(),
            primaryTls.privateKey(),
            primaryTls.trustedCertificates(),
            TlsSettings.ClientAuth.REQUIRE,
            false,
            Duration.ZERO,
            TlsSettings.DEFAULT_RELOAD_INTERVAL,
            engine());
    RecordingCommands commands = new RecordingCommands();
    EdgeServer primary = startPrimary(onPort, commands);
    EdgeServer replica =
        start(
            replicaTls,
            new NodeRole.Replica(
                URI.create("https://127.0.0.1:" + primaryPort), Duration.ofSeconds(10)));
    HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    open.add(plain);
    String session = session(plain, replica);

    assertThat(post(plain, replica, session).statusCode()).isEqualTo(201);
    primary.close();
    assertThat(post(plain, replica, session).statusCode()).isEqualTo(503);
    startPrimary(onPort, commands);
    HttpResponse<String> again = post(plain, replica, session);

    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
    assertThat(commands.calls).hasSize(2);
  }

  @Test
  void refuses_a_key_that_does_not_belong_to_the_certificate() {
    Certificates.Issued one = selfSigned();
    Certificates.Issued other = selfSigned();
    one.writeTo(dir);
    PemFiles.writePrivateKey(dir.resolve(Certificates.PRIVATE_KEY_FILE), other.keys().getPrivate());

    assertThatThrownBy(
            () ->
                NodeTls.start(
                    TlsSettings.of(
                        0,
                        dir.resolve(Certificates.CERTIFICATE_FILE),
                        dir.resolve(Certificates.PRIVATE_KEY_FILE),
                        Optional.empty())))
        .hasMessageContaining("does not belong to the certificate");
  }

  private Certificates.Issued selfSigned() {
    return Certificates.selfSigned(List.of("localhost"), List.of(LOOPBACK));
  }

  private TlsSettings tlsWith(Certificates.Issued certificate) {
    certificate.writeTo(dir);
    return TlsSettings.of(
            0,
            dir.resolve(Certificates.CERTIFICATE_FILE),
            dir.resolve(Certificates.PRIVATE_KEY_FILE),
            Optional.empty())
        .withEngine(engine());
  }

  private EdgeServer start(TlsSettings tls) {
    return start(tls, Duration.ofSeconds(5));
  }

  private TlsSettings issued(Certificates.Issued authority, String name, Path ca) {
    Path nodeDir = dir.resolve(name);
    Certificates.issue(authority, List.of(name), List.of(LOOPBACK)).writeTo(nodeDir);
    return TlsSettings.of(
            0,
            nodeDir.resolve(Certificates.CERTIFICATE_FILE),
            nodeDir.resolve(Certificates.PRIVATE_KEY_FILE),
            Optional.of(ca))
        .withEngine(engine());
  }

  private EdgeServer startPrimary(TlsSettings tls, RecordingCommands commands) {
    InMemoryRevocations revocations = new InMemoryRevocations();
    return start(
        tls,
        new NodeRole.Primary(
            commands, new InMemoryIdempotencyKeys(), new FixedPositions(), revocations));
  }

  private static String session(HttpClient client, EdgeServer edge) throws Exception {
    HttpResponse<String> created =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + edge.port() + "/api/v1/tenants/demo/sessions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"displayName\":\"Ada\"}"))
                .build(),
            BodyHandlers.ofString());
    assertThat(created.statusCode()).isEqualTo(201);
    String body = created.body();
    int start = body.indexOf("\"sessionToken\":\"") + "\"sessionToken\":\"".length();
    return body.substring(start, body.indexOf('"', start));
  }

  private static HttpResponse<String> post(HttpClient client, EdgeServer edge, String session)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + edge.port() + "/api/v1/tenants/demo/threads/t1/comments"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + session)
            .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"over TLS\"}"))
            .build(),
        BodyHandlers.ofString());
  }

  private EdgeServer start(TlsSettings tls, Duration bodyTimeout) {
    InMemoryRevocations revocations = new InMemoryRevocations();
    return start(
        tls,
        bodyTimeout,
        new NodeRole.Primary(
            new RecordingCommands(),
            new InMemoryIdempotencyKeys(),
            new FixedPositions(),
            revocations),
        revocations);
  }

  private EdgeServer start(TlsSettings tls, NodeRole role) {
    return start(tls, Duration.ofSeconds(5), role, new InMemoryRevocations());
  }

  private EdgeServer start(
      TlsSettings tls, Duration bodyTimeout, NodeRole role, InMemoryRevocations revocations) {
    EdgeServer edge =
        EdgeServer.start(
            settings(tls, bodyTimeout),
            role,
            new ReadSide(
                new RecordingQueries(), new QuietFeeds(), new FakeProjectionStatus(), revocations),
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            Clock.systemUTC());
    open.add(edge);
    return edge;
  }

  private static URI https(EdgeServer edge, String path) {
    return URI.create("https://127.0.0.1:" + edge.httpsPort().orElseThrow() + path);
  }

  private HttpClient clientTrusting(
      X509Certificate certificate, HttpClient.Version version, String... protocols) {
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(protocols);
    HttpClient client =
        HttpClient.newBuilder()
            .version(version)
            .sslContext(trusting(List.of(certificate)))
            .sslParameters(parameters)
            .build();
    open.add(client);
    return client;
  }

  private HttpClient clientTrusting(List<X509Certificate> certificates) {
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(MODERN);
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .sslContext(trusting(certificates))
            .sslParameters(parameters)
            .build();
    open.add(client);
    return client;
  }

  /** A client context that trusts these certificates only. */
  static SSLContext trusting(List<X509Certificate> certificates) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("c" + i, certificates.get(i));
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate peer(HttpResponse<?> response) throws Exception {
    return (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
  }

  /**
   * A handshake by Bouncy Castle's own TLS client, which (unlike the JDK's) still speaks TLS 1.0
   * and 1.1; it offers only {@code version} (and only {@code suites}, if any). Answers the version
   * agreed.
   */
  private static ProtocolVersion handshake(int port, ProtocolVersion version, int... suites)
      throws IOException {
    try (Socket socket = new Socket(LOOPBACK, port)) {
      socket.setSoTimeout(5_000);
      TlsClientProtocol protocol =
          new TlsClientProtocol(socket.getInputStream(), socket.getOutputStream());
      AtomicReference<ProtocolVersion> agreed = new AtomicReference<>();
      DefaultTlsClient client =
          new DefaultTlsClient(new BcTlsCrypto(new SecureRandom())) {
            @Override
            public int[] getCipherSuites() {
              return suites.length > 0 ? suites : super.getCipherSuites();
            }

            @Override
            public void notifyServerVersion(ProtocolVersion serverVersion) throws IOException {
              super.notifyServerVersion(serverVersion);
              agreed.set(serverVersion);
            }

            @Override
            protected ProtocolVersion[] getSupportedVersions() {
              return version.only();
            }

            @Override
            public TlsAuthentication getAuthentication() {
              return new ServerOnlyTlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate certificate) {
                  // Which certificate is beside the point here: the version is.
                }
              };
            }
          };
      protocol.connect(client);
      protocol.close();
      return agreed.get();
    }
  }

  private static byte[] readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    byte[] buffer = new byte[512];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        read.write(buffer, 0, n);
      }
    } catch (SocketException reset) {
      // A reset is a closed connection too.
    }
    return read.toByteArray();
  }

  private static boolean sendsAnotherByte(OutputStream out) {
    try {
      out.write('X');
      out.flush();
      return true;
    } catch (IOException closed) {
      return false;
    }
  }

  private static EdgeSettings settings(TlsSettings tls, Duration bodyTimeout) {
    return TestEdgeSettings.node("node-a").threads(1, 2).bodyTimeout(bodyTimeout).tls(tls).build();
  }

  /** A connection past its handshake, which offered {@code protocol} by ALPN. */
  private SSLSocket handshaken(Certificates.Issued certificate, String protocol, EdgeServer edge)
      throws IOException {
    SSLSocket socket =
        (SSLSocket)
            trusting(List.of(certificate.certificate()))
                .getSocketFactory()
                .createSocket(LOOPBACK, edge.httpsPort().orElseThrow());
    open.add(socket);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setProtocols(MODERN);
    parameters.setApplicationProtocols(new String[] {protocol});
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }

  /** The first flight of a TLS client: its ClientHello record. */
  private static byte[] clientHello() throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine("localhost", 443);
    engine.setUseClientMode(true);
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] hello = new byte[out.remaining()];
    out.get(hello);
    return hello;
  }

  /**
   * Just enough of HTTP/2 (RFC 9113) to be a slow client: the preface, a HEADERS frame (HPACK
   * literals without indexing or Huffman coding), DATA one byte at a time, and a reader that notes
   * when the server ends a stream (RST_STREAM, GOAWAY or a closed connection).
   */
  private static final class Http2Frames {
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int GOAWAY = 7;
    private static final int CONTINUATION = 9;

    private final OutputStream out;
    private final Set<Integer> ended = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Http2Frames(SSLSocket socket) throws IOException {
      this.out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  while (true) {
                    byte[] header = in.readNBytes(9);
                    if (header.length < 9) {
                      break;
                    }
                    int length =
                        ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
                    int type = header[3] & 0xff;
                    int stream =
                        ((header[5] & 0x7f) << 24)
                            | ((header[6] & 0xff) << 16)
                            | ((header[7] & 0xff) << 8)
                            | (header[8] & 0xff);
                    in.readNBytes(length);
                    if (type == RST_STREAM) {
                      ended.add(stream);
                    } else if (type == GOAWAY) {
                      closed = true;
                    }
                  }
                } catch (IOException e) {
                  // A reset is a closed connection too.
                }
                closed = true;
              });
    }

    void preface() throws IOException {
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frame(SETTINGS, 0, 0, new byte[0]);
    }

    void headers(
        int stream, boolean endStream, boolean endHeaders, List<Map.Entry<String, String>> fields)
        throws IOException {
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      for (Map.Entry<String, String> field : fields) {
        block.write(0);
        literal(block, field.getKey());
        literal(block, field.getValue());
      }
      frame(HEADERS, (endStream ? 0x1 : 0) | (endHeaders ? 0x4 : 0), stream, block.toByteArray());
    }

    boolean sendsDataByte(int stream) {
      try {
        frame(DATA, 0, stream, new byte[] {' '});
        return true;
      } catch (IOException closedByServer) {
        return false;
      }
    }

    /** A CONTINUATION frame of the stream's header block, one more {@code x-a: b} field. */
    boolean sendsContinuation(int stream) {
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      block.write(0);
      literal(block, "x-a");
      literal(block, "b");
      try {
        frame(CONTINUATION, 0, stream, block.toByteArray());
        return true;
      } catch (IOException closedByServer) {
        return false;
      }
    }

    boolean streamEnded(int stream) {
      return closed || ended.contains(stream);
    }

    private static void literal(ByteArrayOutputStream block, String text) {
      byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
      block.write(bytes.length);
      block.write(bytes, 0, bytes.length);
    }

    private synchronized void frame(int type, int flags, int stream, byte[] payload)
        throws IOException {
      byte[] header = {
        (byte) (payload.length >>> 16),
        (byte) (payload.length >>> 8),
        (byte) payload.length,
        (byte) type,
        (byte) flags,
        (byte) (stream >>> 24),
        (byte) (stream >>> 16),
        (byte) (stream >>> 8),
        (byte) stream
      };
      out.write(header);
      out.write(payload);
      out.flush();
    }
  }
}
