package dev.comments.edge.tls;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * The native engine, handed its plaintext one record at a time. Netty's {@code OpenSslEngine} makes
 * one TLS record of each buffer it is given to wrap, as the {@link SSLEngine} contract allows,
 * where the JDK's engine fills a record from as many buffers as it takes. Undertow hands an HTTP/2
 * frame over as its 9-byte header and its payload, so a 19 KB page went out as six records, three
 * of them 9 bytes of plaintext, each with its own seal, 22 bytes of overhead, and its own open at
 * the client. Here the buffers of one call are copied into one (up to a record's 16 KiB of
 * plaintext) before they are wrapped, and the originals advanced by what was consumed. A call whose
 * first buffer is a full record on its own, or that has one buffer, is passed on as it is.
 *
 * <p>The copy goes through a direct buffer, as BoringSSL reads it; buffers are pooled across
 * engines, as connections vastly outnumber the threads that wrap at one time.
 */
final class CoalescingSslEngine extends SSLEngine {
  /** The plaintext of one TLS record at most (RFC 8446, section 5.1). */
  static final int RECORD = 16_384;

  private static final ConcurrentLinkedQueue<ByteBuffer> JOINED = new ConcurrentLinkedQueue<>();

  private final SSLEngine engine;

  CoalescingSslEngine(SSLEngine engine) {
    super(engine.getPeerHost(), engine.getPeerPort());
    this.engine = engine;
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst)
      throws SSLException {
    int end = offset + length;
    int first = offset;
    while (first < end && !srcs[first].hasRemaining()) {
      first++;
    }
    int next = first + 1;
    while (next < end && !srcs[next].hasRemaining()) {
      next++;
    }
    if (next >= end || srcs[first].remaining() >= RECORD) {
      return engine.wrap(srcs, offset, length, dst);
    }
    ByteBuffer joined = JOINED.poll();
    if (joined == null) {
      joined = ByteBuffer.allocateDirect(RECORD);
    }
    try {
      joined.clear();
      for (int i = first; i < end && joined.hasRemaining(); i++) {
        ByteBuffer src = srcs[i];
        int n = Math.min(src.remaining(), joined.remaining());
        joined.put(joined.position(), src, src.position(), n);
        joined.position(joined.position() + n);
      }
      joined.flip();
      SSLEngineResult result = engine.wrap(joined, dst);
      int consumed = result.bytesConsumed();
      for (int i = first; consumed > 0; i++) {
        ByteBuffer src = srcs[i];
        int n = Math.min(consumed, src.remaining());
        src.position(src.position() + n);
        consumed -= n;
      }
      return result;
    } finally {
      JOINED.offer(joined);
    }
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length)
      throws SSLException {
    return engine.unwrap(src, dsts, offset, length);
  }

  @Override
  public Runnable getDelegatedTask() {
    return engine.getDelegatedTask();
  }

  @Override
  public void closeInbound() throws SSLException {
    engine.closeInbound();
  }

  @Override
  public boolean isInboundDone() {
    return engine.isInboundDone();
  }

  @Override
  public void closeOutbound() {
    engine.closeOutbound();
  }

  @Override
  public boolean isOutboundDone() {
    return engine.isOutboundDone();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return engine.getSupportedCipherSuites();
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return engine.getEnabledCipherSuites();
  }

  @Override
  public void setEnabledCipherSuites(String[] suites) {
    engine.setEnabledCipherSuites(suites);
  }

  @Override
  public String[] getSupportedProtocols() {
    return engine.getSupportedProtocols();
  }

  @Override
  public String[] getEnabledProtocols() {
    return engine.getEnabledProtocols();
  }

  @Override
  public void setEnabledProtocols(String[] protocols) {
    engine.setEnabledProtocols(protocols);
  }

  @Override
  public SSLSession getSession() {
    return engine.getSession();
  }

  @Override
  public SSLSession getHandshakeSession() {
    return engine.getHandshakeSession();
  }

  @Override
  public void beginHandshake() throws SSLException {
    engine.beginHandshake();
  }

  @Override
  public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
    return engine.getHandshakeStatus();
  }

  @Override
  public void setUseClientMode(boolean mode) {
    engine.setUseClientMode(mode);
  }

  @Override
  public boolean getUseClientMode() {
    return engine.getUseClientMode();
  }

  @Override
  public void setNeedClientAuth(boolean need) {
    engine.setNeedClientAuth(need);
  }

  @Override
  public boolean getNeedClientAuth() {
    return engine.getNeedClientAuth();
  }

  @Override
  public void setWantClientAuth(boolean want) {
    engine.setWantClientAuth(want);
  }

  @Override
  public boolean getWantClientAuth() {
    return engine.getWantClientAuth();
  }

  @Override
  public void setEnableSessionCreation(boolean flag) {
    engine.setEnableSessionCreation(flag);
  }

  @Override
  public boolean getEnableSessionCreation() {
    return engine.getEnableSessionCreation();
  }

  @Override
  public SSLParameters getSSLParameters() {
    return engine.getSSLParameters();
  }

  @Override
  public void setSSLParameters(SSLParameters parameters) {
    engine.setSSLParameters(parameters);
  }

  @Override
  public String getApplicationProtocol() {
    return engine.getApplicationProtocol();
  }

  @Override
  public String getHandshakeApplicationProtocol() {
    return engine.getHandshakeApplicationProtocol();
  }

  @Override
  public void setHandshakeApplicationProtocolSelector(
      BiFunction<SSLEngine, List<String>, String> selector) {
    engine.setHandshakeApplicationProtocolSelector(selector);
  }

  @Override
  public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
    return engine.getHandshakeApplicationProtocolSelector();
  }

  @Override
  public String toString() {
    return "CoalescingSslEngine[" + engine + "]";
  }
}
