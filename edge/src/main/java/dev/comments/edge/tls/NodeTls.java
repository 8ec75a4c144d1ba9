package dev.comments.edge.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's TLS: one {@link SSLContext} for its HTTPS listener and for its calls to other nodes,
 * with the certificate and key read from PEM files and read again when they change (checked every
 * {@link TlsSettings#reloadInterval()}), without a restart and without closing a connection.
 *
 * <p>Only TLS 1.3 and 1.2, and of 1.2 only forward-secret AEAD suites (ECDHE with AES-GCM or
 * ChaCha20-Poly1305): what Mozilla's "intermediate" profile keeps, and what HTTP/2 requires.
 */
public final class NodeTls implements AutoCloseable {
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  public static final List<String> CIPHER_SUITES =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private static final Logger log = LoggerFactory.getLogger(NodeTls.class);
  private static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

  static {
    // A client may otherwise renegotiate a TLS 1.2 connection as often as it likes, making the
    // server do a full handshake each time: a cheap denial of service (testssl.sh flags it HIGH).
    // The JDK reads this once, before its first server handshake; an operator's -D still wins.
    if (System.getProperty(REJECT_RENEGOTIATION) == null) {
      System.setProperty(REJECT_RENEGOTIATION, "true");
    }
  }

  private static final char[] NO_PASSWORD = new char[0];

  /** What the files looked like when last read: a change to either means read both again. */
  private record Stamp(FileTime certificate, long certificateSize, FileTime key, long keySize) {
    static Stamp of(Path certificate, Path key) throws IOException {
      return new Stamp(
          Files.getLastModifiedTime(certificate),
          Files.size(certificate),
          Files.getLastModifiedTime(key),
          Files.size(key));
    }
  }

  private final TlsSettings settings;
  private final SwappableKeyManager keys;
  private final SSLContext context;
  private final SSLContext listenerContext;
  private final ScheduledExecutorService watcher;
  private final AtomicLong generation = new AtomicLong();
  private volatile Stamp stamp;
  private volatile X509Certificate certificate;

  private NodeTls(TlsSettings settings) {
    this.settings = settings;
    try {
      this.stamp = Stamp.of(settings.certificate(), settings.privateKey());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the TLS certificate or key", e);
    }
    Loaded loaded = load();
    this.certificate = loaded.certificate();
    this.keys = new SwappableKeyManager(loaded.manager());
    TrustManager[] trust;
    try {
      trust = trustManagers(settings);
      this.context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {keys}, trust, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS", e);
    }
    this.listenerContext = listenerContext(settings, context, keys, trust);
    this.watcher =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tls-reload").factory());
  }

  /** Reads the PEM files and starts watching them. */
  public static NodeTls start(TlsSettings settings) {
    Objects.requireNonNull(settings, "settings");
    if (!settings.enabled()) {
      throw new IllegalArgumentException("TLS is not enabled in these settings");
    }
    NodeTls tls = new NodeTls(settings);
    long every = settings.reloadInterval().toMillis();
    tls.watcher.scheduleWithFixedDelay(tls::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
    log.info(
        "TLS certificate {} (SHA-256 {}), reloaded on change; HTTPS served by the {} TLS engine",
        tls.certificate.getSubjectX500Principal().getName(),
        tls.fingerprint(),
        tls.engine());
    return tls;
  }

  /**
   * The listener's context: the native engine's when the settings allow it and it loads, else the
   * JDK's. {@code auto} falls back with one warning that says why; {@code native} refuses to start.
   */
  private static SSLContext listenerContext(
      TlsSettings settings, SSLContext jdk, X509ExtendedKeyManager keys, TrustManager[] trust) {
    if (settings.engine() == TlsSettings.Engine.JDK) {
      return jdk;
    }
    String why;
    try {
      var unavailable = NativeTls.unavailable();
      if (unavailable.isEmpty()) {
        return NativeTls.serverContext(keys, trust[0], settings.clientAuth());
      }
      why = unavailable.get().toString();
    } catch (SSLException | RuntimeException | LinkageError e) {
      why = e.toString();
    }
    if (settings.engine() == TlsSettings.Engine.NATIVE) {
      throw new IllegalStateException(
          "the native TLS engine was asked for (engine=native) but cannot be used on this"
              + " machine: "
              + why
              + "; choose engine auto or jdk");
    }
    log.warn("TLS: HTTPS falls back to the JDK's engine, the native one cannot be used: {}", why);
    return jdk;
  }

  /** The context of every client this node makes (always the JDK's). */
  public SSLContext context() {
    return context;
  }

  /** The context of the HTTPS listener: {@link #context()}, or the native engine's. */
  public SSLContext listenerContext() {
    return listenerContext;
  }

  /** Which TLS engine serves the HTTPS listener: {@code native} or {@code jdk}. */
  public String engine() {
    return listenerContext instanceof NativeTls.Context ? "native" : "jdk";
  }

  /** What a client made by this node offers: the same protocols and suites the listener takes. */
  public SSLParameters clientParameters() {
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
    parameters.setCipherSuites(CIPHER_SUITES.toArray(String[]::new));
    return parameters;
  }

  /** Gives {@code builder} this node's TLS, for its calls to other nodes. */
  public HttpClient.Builder configure(HttpClient.Builder builder) {
    return builder.sslContext(context).sslParameters(clientParameters());
  }

  public TlsSettings settings() {
    return settings;
  }

  /** The key manager every handshake asks (its delegate replaced on reload). */
  X509ExtendedKeyManager keyManager() {
    return keys;
  }

  /** The certificate new handshakes present. */
  public X509Certificate certificate() {
    return certificate;
  }

  public String fingerprint() {
    return Certificates.fingerprint(certificate);
  }

  /**
   * Reads the files again if either changed since the last read. A file caught half-written (or an
   * unusable pair) leaves the current certificate in place, and is tried again at the next check.
   */
  void reloadIfChanged() {
    try {
      Stamp now = Stamp.of(settings.certificate(), settings.privateKey());
      if (now.equals(stamp)) {
        return;
      }
      Loaded loaded = load();
      keys.swap(loaded.manager());
      certificate = loaded.certificate();
      stamp = now;
      forgetSessions(context.getServerSessionContext());
      if (listenerContext instanceof NativeTls.Context nativeContext) {
        nativeContext.forgetSessions();
      }
      log.info(
          "TLS certificate reloaded: {} (SHA-256 {})",
          certificate.getSubjectX500Principal().getName(),
          fingerprint());
    } catch (RuntimeException | IOException e) {
      log.warn("TLS certificate not reloaded, the current one stays: {}", e.toString());
    }
  }

  /** A resumed session would show its client the old certificate: new handshakes start afresh. */
  private static void forgetSessions(SSLSessionContext sessions) {
    for (byte[] id : Collections.list(sessions.getIds())) {
      SSLSession session = sessions.getSession(id);
      if (session != null) {
        session.invalidate();
      }
    }
  }

  private record Loaded(X509Certificate certificate, X509ExtendedKeyManager manager) {}

  private Loaded load() {
    List<X509Certificate> chain = PemFiles.readCertificates(settings.certificate());
    PrivateKey key = PemFiles.readPrivateKey(settings.privateKey());
    if (!belongTogether(key, chain.getFirst())) {
      throw new IllegalArgumentException(
          "the private key in "
              + settings.privateKey()
              + " does not belong to the certificate in "
              + settings.certificate());
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      // Each generation its own alias: see SwappableKeyManager.
      store.setKeyEntry(
          "node-" + generation.incrementAndGet(),
          key,
          NO_PASSWORD,
          chain.toArray(X509Certificate[]::new));
      // SunX509: the key is decrypted from the store once, here, and a handshake finds it under
      // its own alias. NewSunX509 names each choice anew ("1.0.node-1", "2.0.node-1", ...) and
      // decrypts the key (PBKDF2) at every handshake; the native engine caches key material by
      // alias, so those names filled its cache, and past 1,024 handshakes each new one walked the
      // whole cache, decrypting for every entry: seconds per handshake on an IO thread.
      KeyManagerFactory factory = KeyManagerFactory.getInstance("SunX509");
      factory.init(store, NO_PASSWORD);
      for (KeyManager manager : factory.getKeyManagers()) {
        if (manager instanceof X509ExtendedKeyManager x509) {
          return new Loaded(chain.getFirst(), x509);
        }
      }
      throw new IllegalStateException("no X.509 key manager in this JDK");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot use the TLS certificate and key", e);
    }
  }

  /** Whether {@code key} signs what the certificate's public key verifies. */
  private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> key.getAlgorithm();
        };
    try {
      byte[] probe = "comments-tls-key-check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static TrustManager[] trustManagers(TlsSettings settings)
      throws GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (settings.trustedCertificates().isEmpty()) {
      factory.init((KeyStore) null);
      return factory.getTrustManagers();
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<X509Certificate> trusted =
        PemFiles.readCertificates(settings.trustedCertificates().orElseThrow());
    for (int i = 0; i < trusted.size(); i++) {
      store.setCertificateEntry("trusted-" + i, trusted.get(i));
    }
    factory.init(store);
    return factory.getTrustManagers();
  }

  @Override
  public void close() {
    watcher.shutdownNow();
  }
}
