package dev.comments.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A small client of the v1 API over real HTTP, for end-to-end tests. */
public final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final String baseUrl;

  public ApiClient(String baseUrl) {
    this(
        baseUrl,
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build());
  }

  /** Over a client of the test's own making (HTTPS, HTTP/2). */
  public ApiClient(String baseUrl, HttpClient http) {
    this.baseUrl = baseUrl;
    this.http = http;
  }

  /** A response: status, headers and the body parsed as JSON (null when empty or not JSON). */
  public record Reply(int status, HttpResponse<byte[]> raw, JsonNode json) {
    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public String errorCode() {
      return json == null ? null : json.path("error").path("code").asText(null);
    }
  }

  public String session(String tenant, String displayName) {
    Reply reply =
        send(
            "POST",
            "/api/v1/tenants/" + tenant + "/sessions",
            null,
            "{\"displayName\":" + quote(displayName) + "}");
    if (reply.status() != 201) {
      throw new AssertionError("session: " + reply.status() + " " + reply.json());
    }
    return reply.json().get("sessionToken").asText();
  }

  public Reply post(String tenant, String thread, String token, String text, String parentId) {
    String body =
        "{\"text\":"
            + quote(text)
            + ",\"parentId\":"
            + (parentId == null ? "null" : quote(parentId))
            + "}";
    return send(
        "POST", "/api/v1/tenants/" + tenant + "/threads/" + thread + "/comments", token, body);
  }

  public Reply thread(String tenant, String thread, String query, String consistencyToken) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    baseUrl
                        + "/api/v1/tenants/"
                        + tenant
                        + "/threads/"
                        + thread
                        + "/comments"
                        + (query == null ? "" : "?" + query)))
            .timeout(Duration.ofSeconds(30))
            .GET();
    if (consistencyToken != null) {
      request.header("X-Consistency-Token", consistencyToken);
    }
    return exchange(request.build());
  }

  /** {@code DELETE …/sessions/current}: signs the session out. */
  public Reply signOut(String tenant, String token) {
    return send("DELETE", "/api/v1/tenants/" + tenant + "/sessions/current", token, null);
  }

  public Reply send(String method, String path, String bearer, String jsonBody) {
    return sendBytes(
        method,
        path,
        bearer,
        "application/json",
        jsonBody == null ? null : jsonBody.getBytes(StandardCharsets.UTF_8));
  }

  public Reply sendBytes(
      String method, String path, String bearer, String contentType, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null && contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return exchange(request.build());
  }

  public Reply exchange(HttpRequest request) {
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return new Reply(response.statusCode(), response, parse(response.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpClient http() {
    return http;
  }

  public String baseUrl() {
    return baseUrl;
  }

  private static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      return null;
    }
  }

  public static String quote(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
