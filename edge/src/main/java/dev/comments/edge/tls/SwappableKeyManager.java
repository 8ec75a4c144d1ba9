package dev.comments.edge.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager whose certificate and key can be replaced while the server runs: each handshake
 * asks the current delegate, so new connections get the new certificate while open ones keep the
 * session they have. The listener and its {@code SSLContext} are never rebuilt.
 *
 * <p>A handshake chooses an alias and then asks for its chain and key: when a swap falls between
 * those calls, the previous delegate still answers for the alias it gave (each generation's alias
 * is its own), so no handshake sees one certificate's chain with another one's key.
 */
final class SwappableKeyManager extends X509ExtendedKeyManager {
  private record Generations(X509ExtendedKeyManager current, X509ExtendedKeyManager previous) {}

  private final AtomicReference<Generations> managers;

  SwappableKeyManager(X509ExtendedKeyManager initial) {
    Objects.requireNonNull(initial, "initial");
    this.managers = new AtomicReference<>(new Generations(initial, initial));
  }

  void swap(X509ExtendedKeyManager next) {
    Objects.requireNonNull(next, "next");
    managers.updateAndGet(now -> new Generations(next, now.current()));
  }

  private X509ExtendedKeyManager current() {
    return managers.get().current();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return current().getClientAliases(keyType, issuers);
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return current().chooseClientAlias(keyType, issuers, socket);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return current().chooseEngineClientAlias(keyType, issuers, engine);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return current().getServerAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return current().chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return current().chooseEngineServerAlias(keyType, issuers, engine);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Generations now = managers.get();
    X509Certificate[] chain = now.current().getCertificateChain(alias);
    return chain != null ? chain : now.previous().getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Generations now = managers.get();
    PrivateKey key = now.current().getPrivateKey(alias);
    return key != null ? key : now.previous().getPrivateKey(alias);
  }
}
