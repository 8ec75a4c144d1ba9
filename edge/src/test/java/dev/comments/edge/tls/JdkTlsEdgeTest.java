package dev.comments.edge.tls;

/**
 * Every scenario of {@link TlsEdgeTest} again with {@code engine=jdk}: the JDK's engine stays a
 * supported choice (platforms without the native library, or an operator's preference).
 */
class JdkTlsEdgeTest extends TlsEdgeTest {
  @Override
  TlsSettings.Engine engine() {
    return TlsSettings.Engine.JDK;
  }
}
