package dev.comments.edge.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The HTTPS listener's native TLS: BoringSSL (netty-tcnative, statically linked) through Netty's
 * {@code OpenSslEngine}, which is a {@link SSLEngine}, handed to XNIO inside an {@link SSLContext}
 * whose only job is to make such engines. XNIO, Undertow's ALPN listener, the handshake deadline
 * and {@link Http2HeaderDeadline} then drive it as they drive the JDK's engine.
 *
 * <p>ALPN is chosen by BoringSSL from the context's list ({@code h2}, then {@code http/1.1}); the
 * engine reports the choice through {@link SSLEngine#getApplicationProtocol()}, which is what
 * Undertow's ALPN provider reads. The certificate comes from the node's {@link SwappableKeyManager}
 * at each handshake (cached per alias, and each reload has its own alias), so a reload reaches new
 * connections without rebuilding anything. Each engine is a {@link CoalescingSslEngine}, which
 * fills a record from several buffers as the JDK's engine does.
 */
final class NativeTls {
  private static final Provider PROVIDER = new Provider("comments-native-tls", "1", "BoringSSL") {};

  private NativeTls() {}

  /** Why the native library cannot be used on this machine; empty when it can. */
  static Optional<Throwable> unavailable() {
    try {
      return OpenSsl.isAvailable() ? Optional.empty() : Optional.of(OpenSsl.unavailabilityCause());
    } catch (LinkageError e) {
      return Optional.of(e);
    }
  }

  /** A context whose engines are native, with the listener's protocols, suites and client auth. */
  static Context serverContext(
      X509ExtendedKeyManager keys, TrustManager trust, TlsSettings.ClientAuth clientAuth)
      throws SSLException {
    SslContext netty =
        SslContextBuilder.forServer(new OpenSslCachingX509KeyManagerFactory(factoryOf(keys)))
            .sslProvider(SslProvider.OPENSSL)
            .protocols(NodeTls.PROTOCOLS)
            .ciphers(NodeTls.CIPHER_SUITES)
            .trustManager(trust)
            .clientAuth(
                switch (clientAuth) {
                  case NONE -> ClientAuth.NONE;
                  case WANT -> ClientAuth.OPTIONAL;
                  case REQUIRE -> ClientAuth.REQUIRE;
                })
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2,
                    ApplicationProtocolNames.HTTP_1_1))
            .build();
    return new Context(new Spi(netty));
  }

  /** A native server context, and how many engines it has made (what tests check). */
  static final class Context extends SSLContext {
    private final Spi spi;

    private Context(Spi spi) {
      super(spi, PROVIDER, "TLS");
      this.spi = spi;
    }

    long enginesMade() {
      return spi.made.sum();
    }

    /**
     * New session-ticket keys: a ticket issued before a certificate reload no longer resumes, so
     * every new connection sees the new certificate.
     */
    void forgetSessions() {
      SSLSessionContext sessions = getServerSessionContext();
      if (sessions instanceof OpenSslSessionContext openSsl) {
        SecureRandom random = new SecureRandom();
        byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
        byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
        byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
        random.nextBytes(name);
        random.nextBytes(hmac);
        random.nextBytes(aes);
        openSsl.setTicketKeys(new OpenSslSessionTicketKey(name, hmac, aes));
      }
    }
  }

  private static final class Spi extends SSLContextSpi {
    private final SslContext netty;
    private final LongAdder made = new LongAdder();

    Spi(SslContext netty) {
      this.netty = netty;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr)
        throws KeyManagementException {
      throw new KeyManagementException("the native context is made ready, not initialised");
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      made.increment();
      return new CoalescingSslEngine(netty.newEngine(ByteBufAllocator.DEFAULT));
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      made.increment();
      return new CoalescingSslEngine(netty.newEngine(ByteBufAllocator.DEFAULT, host, port));
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return netty.sessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      throw new UnsupportedOperationException("the native context serves the listener only");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw new UnsupportedOperationException("the native context makes engines only");
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw new UnsupportedOperationException("the native context makes engines only");
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return netty.newEngine(ByteBufAllocator.DEFAULT).getSSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      SSLEngine engine = netty.newEngine(ByteBufAllocator.DEFAULT);
      SSLParameters parameters = engine.getSSLParameters();
      parameters.setCipherSuites(engine.getSupportedCipherSuites());
      parameters.setProtocols(engine.getSupportedProtocols());
      return parameters;
    }
  }

  /** Netty takes a key manager through a factory: this one hands out the node's, already set. */
  private static KeyManagerFactory factoryOf(X509ExtendedKeyManager keys) {
    return new KeyManagerFactory(
        new KeyManagerFactorySpi() {
          @Override
          protected void engineInit(KeyStore store, char[] password) {}

          @Override
          protected void engineInit(ManagerFactoryParameters parameters) {}

          @Override
          protected KeyManager[] engineGetKeyManagers() {
            return new KeyManager[] {keys};
          }
        },
        PROVIDER,
        "comments-node") {};
  }
}
