package dev.comments.infra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.comments.infra.ApiClient;
import dev.comments.infra.dev.EmbeddedMongo;
import dev.comments.infra.kafka.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code comments node --config infra/config/node.example.yaml}, as an operator runs it: as
 * shipped, its placeholder secrets stop the node with a message naming every one of them; with real
 * secrets (and the addresses) given on the command line, the same file runs a node.
 */
class NodeCommandIT {
  private static final Path EXAMPLE = Path.of("../config/node.example.yaml");

  @TempDir Path work;

  @Test
  void the_example_configuration_as_shipped_is_refused_naming_each_placeholder() throws Exception {
    Process node = launch("--comments.mongo.uri=mongodb://127.0.0.1:1");

    assertThat(node.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).isNotZero();
    assertThat(Files.readString(work.resolve("node.log"), StandardCharsets.UTF_8))
        .contains("refusing to start with unusable secrets")
        .contains("comments.sessions.keys.current.secret still holds the placeholder")
        .contains("comments.consistency.keys.current.secret still holds the placeholder")
        .contains("comments.cluster.keys.current.secret still holds the placeholder")
        .contains("comments.tenants.demo.moderation.admin-key still holds the placeholder")
        .contains("openssl rand -base64 32");
  }

  @Test
  void the_example_configuration_with_real_secrets_runs_a_node_that_signs_sessions_out()
      throws Exception {
    try (EmbeddedMongo mongo = EmbeddedMongo.start(work.resolve("mongo"));
        KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"))) {
      int port = freePort();
      Process node =
          launch(
              "--comments.mongo.uri=" + mongo.connectionString(),
              "--comments.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
              "--comments.kafka.replication-factor=1",
              "--comments.http.host=127.0.0.1",
              "--comments.http.port=" + port,
              "--comments.sessions.keys.current.secret=" + randomSecret(),
              "--comments.consistency.keys.current.secret=" + randomSecret(),
              "--comments.cluster.keys.current.secret=" + randomSecret(),
              "--comments.tenants.demo.moderation.admin-key=" + randomSecret());
      try {
        ApiClient api = new ApiClient("http://127.0.0.1:" + port);
        awaitReady(api, node);
        String token = api.session("demo", "Ada");
        ApiClient.Reply posted = api.post("demo", "ops", token, "From node mode", null);
        assertThat(posted.status()).isEqualTo(201);
        ApiClient.Reply page = api.thread("demo", "ops", null, posted.json().get("token").asText());
        assertThat(page.header("X-Served-By")).isEqualTo("eu-central-1");
        assertThat(page.json().get("comments").get(0).get("text").asText())
            .isEqualTo("From node mode");
        // Limits are on unless turned off, and the node says which at start.
        assertThat(Files.readString(work.resolve("node.log"), StandardCharsets.UTF_8))
            .contains("Rate limits for tenant demo")
            .doesNotContain("Rate limits are OFF");

        assertThat(api.signOut("demo", token).status()).isEqualTo(204);
        await("the node learns the revocation from the log")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () ->
                    "session_revoked"
                        .equals(api.post("demo", "ops", token, "x", null).errorCode()));
      } finally {
        node.destroy();
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  private Process launch(String... settings) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.comments.infra.Launcher",
                "node",
                "--config",
                EXAMPLE.toAbsolutePath().toString()));
    command.addAll(List.of(settings));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(work.resolve("node.log").toFile())
        .start();
  }

  private void awaitReady(ApiClient api, Process node) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!node.isAlive()) {
        throw new AssertionError("the node exited:\n" + Files.readString(work.resolve("node.log")));
      }
      try {
        if (api.send("GET", "/health/ready", null, null).status() == 200) {
          return;
        }
      } catch (RuntimeException notYet) {
        // Not listening yet.
      }
      Thread.sleep(250);
    }
    throw new AssertionError("not ready:\n" + Files.readString(work.resolve("node.log")));
  }

  private static String randomSecret() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return Base64.getEncoder().encodeToString(secret);
  }

  private static int freePort() throws IOException {
    return KafkaBroker.freePort();
  }
}
