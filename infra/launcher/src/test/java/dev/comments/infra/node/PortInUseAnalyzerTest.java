package dev.comments.infra.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.UrlResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;
import org.springframework.util.StringUtils;

class PortInUseAnalyzerTest {
  @Test
  void spring_boot_finds_it_and_it_reports_the_port_the_edge_named_with_what_to_do()
      throws Exception {
    List<String> registered = new ArrayList<>();
    for (URL factories :
        Collections.list(getClass().getClassLoader().getResources("META-INF/spring.factories"))) {
      Properties listed = PropertiesLoaderUtils.loadProperties(new UrlResource(factories));
      registered.addAll(
          List.of(
              StringUtils.commaDelimitedListToStringArray(
                  listed.getProperty(FailureAnalyzer.class.getName(), ""))));
    }
    assertThat(registered).contains(PortInUseAnalyzer.class.getName());
    BindException named =
        new BindException("cannot listen for HTTP on 127.0.0.1 port 8080: Address already in use");
    Throwable failure =
        new BeanCreationException(
            "edgeServer", "factory method threw", new UncheckedIOException(named));

    FailureAnalysis analysis = new PortInUseAnalyzer().analyze(failure);

    assertThat(analysis.getDescription()).isEqualTo(named.getMessage());
    assertThat(analysis.getAction()).contains("--http-port", "--dns-port", "comments.http.port");
    assertThat(analysis.getCause()).isSameAs(named);
  }
}
