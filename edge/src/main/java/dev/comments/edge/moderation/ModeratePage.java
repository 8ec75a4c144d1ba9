package dev.comments.edge.moderation;

import dev.comments.edge.http.ApiException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The moderators' page, {@code /moderate/} or {@code /moderate} (the one address the edge lets end
 * with a slash: {@code RequestTarget#PAGES_WITH_TRAILING_SLASH}): three small files read once from
 * {@code moderate/} on the classpath and answered from memory on the IO thread. The page calls the
 * API of its own origin, so it needs no CORS, and its policy allows nothing but its own files and
 * that API.
 */
public final class ModeratePage {
  public static final String PAGE = "/moderate";
  public static final String FILE = "/moderate/{asset}";

  /** Nothing inline, nothing from elsewhere, never framed (no clickjacking of the buttons). */
  static final String POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
          + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final String INDEX = "index.html";

  private final Map<String, File> files;

  private ModeratePage(Map<String, File> files) {
    this.files = files;
  }

  /** Reads the files; a missing one is a packaging mistake and stops the node. */
  public static ModeratePage load() {
    return new ModeratePage(
        Map.of(
            INDEX,
            new File(read(INDEX), "text/html; charset=utf-8"),
            "moderate.js",
            new File(read("moderate.js"), "text/javascript; charset=utf-8"),
            "moderate.css",
            new File(read("moderate.css"), "text/css; charset=utf-8")));
  }

  /** {@code GET /moderate} and {@code GET /moderate/{asset}}. */
  public HttpHandler handler() {
    return exchange -> {
      PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
      String name = match == null ? null : match.getParameters().get("asset");
      File file = files.get(name == null || name.isEmpty() ? INDEX : name);
      if (file == null) {
        throw ApiException.notFound("not_found", "no such file of the moderation page");
      }
      send(exchange, file);
    };
  }

  private static void send(HttpServerExchange exchange, File file) {
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, file.contentType());
    // Short-lived and revalidated: a release reaches moderators at their next load.
    headers.put(Headers.CACHE_CONTROL, "no-cache");
    headers.put(HttpString.tryFromString("Content-Security-Policy"), POLICY);
    headers.put(HttpString.tryFromString("X-Content-Type-Options"), "nosniff");
    headers.put(HttpString.tryFromString("Referrer-Policy"), "no-referrer");
    headers.put(Headers.CONTENT_LENGTH, file.bytes().length);
    exchange.getResponseSender().send(ByteBuffer.wrap(file.bytes()));
  }

  private static byte[] read(String name) {
    try (InputStream in = ModeratePage.class.getResourceAsStream("/moderate/" + name)) {
      if (in == null) {
        throw new IllegalStateException("moderate/" + name + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record File(byte[] bytes, String contentType) {}
}
