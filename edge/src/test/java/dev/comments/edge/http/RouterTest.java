package dev.comments.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
  private static final HttpHandler NOTHING = exchange -> {};

  private final Router router =
      Router.builder()
          .route("GET", "/", NOTHING)
          .route("GET", "/health/live", NOTHING)
          .route("GET", "/moderate", NOTHING)
          .route("GET", "/moderate/{asset}", NOTHING)
          .route("POST", "/api/v1/tenants/{tenant}/sessions", NOTHING)
          .route("DELETE", "/api/v1/tenants/{tenant}/sessions/current", NOTHING)
          .route("GET", "/api/v1/tenants/{tenant}/threads/{thread}/comments", NOTHING)
          .route("POST", "/api/v1/tenants/{tenant}/threads/{thread}/comments", NOTHING)
          .route("POST", "/api/v1/tenants/{tenant}/threads/{thread}/lock", NOTHING)
          .route("POST", "/api/v1/tenants/{tenant}/threads/{thread}/audit/{seq}/undo", NOTHING)
          .route("GET", "/api/v1/tenants/{tenant}/comments/{commentId}/replies", NOTHING)
          .route("GET", "/api/v1/tenants/{tenant}/threads/audit/comments", NOTHING)
          .route("GET", "/admin/projections/{name}", NOTHING)
          .route("GET", "/admin/dead-letters", NOTHING)
          .build();

  @Test
  void matches_templates_and_hands_out_their_parameters() throws Exception {
    HttpServerExchange page = routed("GET", "/api/v1/tenants/demo/threads/t-1/comments");
    assertThat(page.getAttachment(Router.ROUTE))
        .isEqualTo("/api/v1/tenants/{tenant}/threads/{thread}/comments");
    assertThat(parameters(page))
        .containsExactlyInAnyOrderEntriesOf(Map.of("tenant", "demo", "thread", "t-1"));

    HttpServerExchange undo = routed("POST", "/api/v1/tenants/a/threads/b/audit/42/undo");
    assertThat(parameters(undo))
        .containsExactlyInAnyOrderEntriesOf(Map.of("tenant", "a", "thread", "b", "seq", "42"));

    assertThat(parameters(routed("GET", "/health/live"))).isEmpty();
    assertThat(routed("GET", "/").getAttachment(Router.ROUTE)).isEqualTo("/");
    assertThat(routed("GET", "/admin/dead-letters").getAttachment(Router.ROUTE))
        .isEqualTo("/admin/dead-letters");
    assertThat(parameters(routed("GET", "/admin/projections/threads")))
        .containsExactlyEntriesOf(Map.of("name", "threads"));
  }

  @Test
  void prefers_a_literal_segment_and_falls_back_to_the_parameter_beside_it() throws Exception {
    // "audit" is a literal after threads/ and a thread id under {thread}.
    assertThat(
            routed("GET", "/api/v1/tenants/demo/threads/audit/comments")
                .getAttachment(Router.ROUTE))
        .isEqualTo("/api/v1/tenants/{tenant}/threads/audit/comments");
    HttpServerExchange lock = routed("POST", "/api/v1/tenants/demo/threads/audit/lock");
    assertThat(lock.getAttachment(Router.ROUTE))
        .isEqualTo("/api/v1/tenants/{tenant}/threads/{thread}/lock");
    assertThat(parameters(lock)).containsEntry("thread", "audit");
  }

  @Test
  void the_moderators_page_with_a_trailing_slash_is_its_index() throws Exception {
    assertThat(routed("GET", "/moderate").getAttachment(Router.ROUTE)).isEqualTo("/moderate");
    HttpServerExchange slash = routed("GET", "/moderate/");
    assertThat(slash.getAttachment(Router.ROUTE)).isEqualTo("/moderate/{asset}");
    assertThat(parameters(slash)).containsExactlyEntriesOf(Map.of("asset", ""));
  }

  @Test
  void answers_404_for_no_template_and_405_with_allow_for_another_method() {
    for (String path :
        new String[] {
          "",
          "/nope",
          "/health",
          "/health/live/more",
          "/api/v1/tenants/demo/threads/t",
          "/api/v1/tenants/demo/threads/t/comments/x",
          "/admin/projections",
          "noslash"
        }) {
      assertThatThrownBy(() -> routed("GET", path))
          .as(path)
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(404);
                assertThat(e.code()).isEqualTo("not_found");
              });
    }
    assertThatThrownBy(() -> routed("PUT", "/api/v1/tenants/demo/threads/t/comments"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(405);
              assertThat(e.code()).isEqualTo("method_not_allowed");
              assertThat(e.headers()).containsEntry("Allow", "GET, POST");
            });
  }

  @Test
  void refuses_templates_it_cannot_tell_apart_or_does_not_understand() {
    assertThatThrownBy(
            () ->
                Router.builder()
                    .route("GET", "/a/{x}", NOTHING)
                    .route("GET", "/a/{y}", NOTHING)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{y}");
    assertThatThrownBy(
            () ->
                Router.builder()
                    .route("GET", "/a/{x}", NOTHING)
                    .route("POST", "/a/{x}", NOTHING)
                    .route("GET", "/a/{x}", NOTHING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate");
    for (String template : new String[] {"a", "/a{x}", "/files/*", "/a/{}"}) {
      assertThatThrownBy(() -> Router.builder().route("GET", template, NOTHING).build())
          .as(template)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private HttpServerExchange routed(String method, String path) throws Exception {
    HttpServerExchange exchange = new HttpServerExchange(null);
    exchange.setRequestMethod(HttpString.tryFromString(method));
    exchange.setRelativePath(path);
    router.handleRequest(exchange);
    return exchange;
  }

  private static Map<String, String> parameters(HttpServerExchange exchange) {
    return exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters();
  }
}
