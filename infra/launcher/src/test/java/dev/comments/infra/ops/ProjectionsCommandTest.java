package dev.comments.infra.ops;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectionsCommandTest {
  @Test
  void a_node_that_is_not_there_is_named_in_the_error_with_the_option_that_fixes_it()
      throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    URI node = URI.create("http://127.0.0.1:" + port);
    ProjectionsCommand command =
        new ProjectionsCommand(
            node,
            "unused",
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    assertThatThrownBy(() -> command.run("list", List.of(), true))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot reach a node at " + node)
        .hasMessageContaining("--node");
  }
}
