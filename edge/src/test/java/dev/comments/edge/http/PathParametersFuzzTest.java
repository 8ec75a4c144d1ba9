package dev.comments.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Any decoded path parameters (the input's lines: tenant, thread, comment id) are either refused
 * with {@code 400 invalid_path} or {@code 404 tenant_not_found}, or handed on; what is handed on
 * makes a valid thread id and comment id for the handlers after it.
 */
class PathParametersFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void hands_on_valid_ids_or_refuses_with_400_or_404(byte[] input) throws Exception {
    String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
    Map<String, String> parameters = new HashMap<>();
    parameters.put("tenant", lines[0]);
    if (lines.length > 1) {
      parameters.put("thread", lines[1]);
    }
    if (lines.length > 2) {
      parameters.put("commentId", lines[2]);
    }
    HttpServerExchange exchange = new HttpServerExchange(null);
    exchange.putAttachment(
        PathTemplateMatch.ATTACHMENT_KEY, new PathTemplateMatch("/fuzz", parameters));
    boolean[] handedOn = {false};
    PathParameters handler = new PathParameters(Set.of("demo", "a"), next -> handedOn[0] = true);

    try {
      handler.handleRequest(exchange);
    } catch (ApiException refused) {
      assertThat(refused.code()).isIn("invalid_path", "tenant_not_found");
      assertThat(refused.status()).isEqualTo(refused.code().equals("invalid_path") ? 400 : 404);
      return;
    }
    assertThat(handedOn[0]).isTrue();
    assertThat(PathParameters.tenant(exchange)).isIn("demo", "a");
    if (parameters.containsKey("thread")) {
      assertThat(PathParameters.threadId(exchange).thread()).isEqualTo(parameters.get("thread"));
    }
    if (parameters.containsKey("commentId")) {
      assertThat(PathParameters.commentId(exchange)).isEqualTo(parameters.get("commentId"));
    }
  }
}
