package dev.comments.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import dev.comments.infra.ApiClient.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The API's contract, docs/openapi.yaml, as assertions on a node's answers. */
public final class ApiContract {
  private ApiContract() {}

  /** Read once, on first use, by every test class that checks answers against it. */
  private static final class Spec {
    static final OpenApiInteractionValidator VALIDATOR =
        OpenApiInteractionValidator.createForSpecificationUrl(
                Path.of("../../docs/openapi.yaml").toAbsolutePath().toUri().toString())
            .build();
  }

  /** Asserts that {@code reply}, the answer to {@code method path}, is as the contract says. */
  public static Reply conforms(String method, String path, Reply reply) {
    SimpleResponse.Builder response =
        SimpleResponse.Builder.status(reply.status())
            .withBody(new String(reply.raw().body(), StandardCharsets.UTF_8));
    reply.raw().headers().map().forEach((name, values) -> response.withHeader(name, values));
    ValidationReport report =
        Spec.VALIDATOR.validateResponse(path, Request.Method.valueOf(method), response.build());
    assertThat(report.hasErrors()).as("%s %s: %s", method, path, report).isFalse();
    return reply;
  }

  /**
   * Asserts that {@code reply} refuses with {@code status}, machine code {@code code} and a
   * message.
   */
  public static Reply expect(int status, String code, Reply reply) {
    assertThat(reply.status()).as("%s", reply.json()).isEqualTo(status);
    assertThat(reply.errorCode()).as("%s", reply.json()).isEqualTo(code);
    assertThat(reply.json().path("error").path("message").asText()).isNotBlank();
    return reply;
  }
}
