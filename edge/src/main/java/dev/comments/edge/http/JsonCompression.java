package dev.comments.edge.http;

import io.undertow.predicate.Predicate;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.encoding.ContentEncodingRepository;
import io.undertow.server.handlers.encoding.EncodingHandler;
import io.undertow.server.handlers.encoding.GzipEncodingProvider;
import io.undertow.util.Headers;
import java.util.Objects;

/**
 * Compresses JSON answers with gzip when the client accepts it, with Undertow's own encoding
 * handler. Small answers (most errors, acknowledgements) go as they are: below {@link #MIN_BYTES}
 * gzip saves less than its header and the CPU it costs. Files that are stored compressed (the
 * widget's, compressed once when loaded) already carry {@code Content-Encoding} and pass untouched.
 * Whether an answer is compressed is decided when it starts, from its type and length, so every
 * JSON answer says {@code Vary: Accept-Encoding} for caches.
 */
public final class JsonCompression implements HttpHandler {
  /** An answer of unknown length (streamed) is compressed; a known one only from this size. */
  static final long MIN_BYTES = 1024;

  private final HttpHandler next;
  private final HttpHandler encoding;

  public JsonCompression(HttpHandler next) {
    this.next = Objects.requireNonNull(next, "next");
    Predicate largeJson =
        exchange -> {
          String type = exchange.getResponseHeaders().getFirst(Headers.CONTENT_TYPE);
          long length = exchange.getResponseContentLength();
          return type != null
              && type.startsWith(JsonResponses.JSON)
              && (length < 0 || length >= MIN_BYTES);
        };
    HttpHandler varied =
        exchange -> {
          exchange.addResponseCommitListener(JsonCompression::vary);
          next.handleRequest(exchange);
        };
    this.encoding =
        new EncodingHandler(
            varied,
            new ContentEncodingRepository()
                .addEncodingHandler("gzip", new GzipEncodingProvider(), 50, largeJson));
  }

  private static void vary(HttpServerExchange exchange) {
    String type = exchange.getResponseHeaders().getFirst(Headers.CONTENT_TYPE);
    if (type != null && type.startsWith(JsonResponses.JSON)) {
      exchange.getResponseHeaders().add(Headers.VARY, Headers.ACCEPT_ENCODING_STRING);
    }
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (exchange.getRequestHeaders().contains(Headers.UPGRADE)) {
      // A websocket handshake: its frames are never the answer's body.
      next.handleRequest(exchange);
      return;
    }
    encoding.handleRequest(exchange);
  }
}
