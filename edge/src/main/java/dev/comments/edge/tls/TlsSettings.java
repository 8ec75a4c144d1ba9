package dev.comments.edge.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node speaks TLS: its HTTPS listener (HTTP/2 and HTTP/1.1) and its calls to other nodes.
 *
 * @param enabled whether the node has an HTTPS listener at all; off, every other value is unused
 * @param port the HTTPS port, {@code 0} for any free one
 * @param certificate the node's certificate chain, PEM, leaf first
 * @param privateKey the certificate's private key, PEM (PKCS#8 or the older RSA/EC forms),
 *     unencrypted
 * @param trustedCertificates the deployment's CA (or the nodes' certificates), PEM: what this node
 *     trusts when it calls another node, and when it checks client certificates; empty, the JDK's
 *     trust store
 * @param clientAuth whether callers must show a certificate the deployment trusts (mutual TLS)
 * @param redirectHttp whether the plain HTTP listener redirects to HTTPS (health checks excepted)
 * @param hstsMaxAge the {@code Strict-Transport-Security} max-age of HTTPS answers; zero, none
 * @param reloadInterval how often the PEM files are checked for a change
 * @param engine which TLS implementation the HTTPS listener runs: the native one (BoringSSL) or the
 *     JDK's; calls to other nodes always use the JDK's
 */
public record TlsSettings(
    boolean enabled,
    int port,
    Path certificate,
    Path privateKey,
    Optional<Path> trustedCertificates,
    ClientAuth clientAuth,
    boolean redirectHttp,
    Duration hstsMaxAge,
    Duration reloadInterval,
    Engine engine) {
  /** No HTTPS listener: the node speaks plain HTTP only. */
  public static final TlsSettings NONE =
      new TlsSettings(
          false,
          0,
          Path.of("none"),
          Path.of("none"),
          Optional.empty(),
          ClientAuth.NONE,
          false,
          Duration.ZERO,
          Duration.ofSeconds(10),
          Engine.AUTO);

  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);

  /** Whether a caller must (or may) show a certificate. */
  public enum ClientAuth {
    NONE,
    WANT,
    REQUIRE
  }

  /**
   * The HTTPS listener's TLS implementation. The native engine (BoringSSL, through Netty's
   * OpenSslEngine) does AES-GCM in one stitched pass where the JDK's takes two on CPUs its
   * intrinsic skips; the JDK's needs no native library.
   */
  public enum Engine {
    /** The native engine when its library loads on this platform, else the JDK's (logged why). */
    AUTO,
    /** The JDK's SSLEngine. */
    JDK,
    /** The native engine; the node does not start without it. */
    NATIVE
  }

  public TlsSettings {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("the HTTPS port must be 0..65535: " + port);
    }
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(trustedCertificates, "trustedCertificates");
    Objects.requireNonNull(clientAuth, "clientAuth");
    Objects.requireNonNull(hstsMaxAge, "hstsMaxAge");
    Objects.requireNonNull(engine, "engine");
    if (hstsMaxAge.isNegative()) {
      throw new IllegalArgumentException("hstsMaxAge must not be negative");
    }
    if (reloadInterval.isNegative() || reloadInterval.isZero()) {
      throw new IllegalArgumentException("reloadInterval must be positive");
    }
    if (enabled && clientAuth != ClientAuth.NONE && trustedCertificates.isEmpty()) {
      throw new IllegalArgumentException(
          "client certificates can only be checked against trusted certificates");
    }
  }

  /**
   * An HTTPS listener on {@code port} with the PEM files given, trusting {@code trusted} for calls
   * between nodes; no redirect, no HSTS, no client certificates (what dev nodes and tests use).
   */
  public static TlsSettings of(
      int port, Path certificate, Path privateKey, Optional<Path> trusted) {
    return new TlsSettings(
        true,
        port,
        certificate,
        privateKey,
        trusted,
        ClientAuth.NONE,
        false,
        Duration.ZERO,
        DEFAULT_RELOAD_INTERVAL,
        Engine.AUTO);
  }

  public TlsSettings withClientAuth(ClientAuth auth) {
    return new TlsSettings(
        enabled,
        port,
        certificate,
        privateKey,
        trustedCertificates,
        auth,
        redirectHttp,
        hstsMaxAge,
        reloadInterval,
        engine);
  }

  public TlsSettings withReloadInterval(Duration interval) {
    return new TlsSettings(
        enabled,
        port,
        certificate,
        privateKey,
        trustedCertificates,
        clientAuth,
        redirectHttp,
        hstsMaxAge,
        interval,
        engine);
  }

  public TlsSettings withEngine(Engine chosen) {
    return new TlsSettings(
        enabled,
        port,
        certificate,
        privateKey,
        trustedCertificates,
        clientAuth,
        redirectHttp,
        hstsMaxAge,
        reloadInterval,
        chosen);
  }

  /** The production posture: plain HTTP redirects to HTTPS, and HTTPS answers carry HSTS. */
  public TlsSettings withRedirectAndHsts(Duration maxAge) {
    return new TlsSettings(
        enabled,
        port,
        certificate,
        privateKey,
        trustedCertificates,
        clientAuth,
        true,
        maxAge,
        reloadInterval,
        engine);
  }
}
