package dev.comments.infra.node;

import java.net.BindException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * A node that cannot listen on one of its ports fails to start with what the edge or the DNS server
 * said (which port, and for what) and what to do, in Spring Boot's "APPLICATION FAILED TO START"
 * report, instead of a page of bean-creation stack traces. Registered in {@code
 * META-INF/spring.factories}.
 */
public final class PortInUseAnalyzer extends AbstractFailureAnalyzer<BindException> {
  static final String ACTION =
      "Stop what holds the port, or give this node another one: --http-port, --https-port and"
          + " --dns-port for comments dev and comments cluster, or the node's configuration"
          + " (comments.http.port, comments.tls.port, comments.dns.port). A DNS port of 5353"
          + " is often held by the system's mDNS responder (avahi).";

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
    return new FailureAnalysis(cause.getMessage(), ACTION, cause);
  }
}
