package dev.comments.infra.node;

import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * A node: Spring Boot reads the configuration and wires the parts ({@link NodeConfiguration});
 * there is no auto-configuration to surprise anyone, and no Spring web server (the edge is
 * Undertow, run by {@link dev.comments.edge.EdgeServer}).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@Import(NodeConfiguration.class)
public class NodeApplication {

  /**
   * Starts a node with {@code properties} over the usual Spring Boot sources, returns when ready.
   */
  public static ConfigurableApplicationContext run(Map<String, Object> properties, String... args) {
    SpringApplication application = new SpringApplication(NodeApplication.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    application.setBannerMode(Banner.Mode.OFF);
    application.setDefaultProperties(properties);
    application.setRegisterShutdownHook(false);
    return application.run(args);
  }
}
