package dev.comments.edge.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Optional;

/**
 * Reads a request's JSON object body in order: media type (415), size (413), UTF-8, then JSON
 * (400). Must run on a worker thread in blocking mode (see {@link Blocking}).
 */
public final class JsonBodyReader {
  private final int maxBytes;
  private final StrictJson json;

  public JsonBodyReader(int maxBytes) {
    this.maxBytes = maxBytes;
    this.json = new StrictJson(maxBytes);
  }

  public ObjectNode readObject(HttpServerExchange exchange) {
    JsonContentType.require(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
    byte[] body =
        BoundedBody.read(exchange.getInputStream(), exchange.getRequestContentLength(), maxBytes);
    return json.parseObject(body);
  }

  /** The body's object, or empty when the request carries no body at all. */
  public Optional<ObjectNode> readOptionalObject(HttpServerExchange exchange) {
    long declared = exchange.getRequestContentLength();
    boolean chunked = exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING);
    if (declared == 0 || (declared < 0 && !chunked)) {
      return Optional.empty();
    }
    return Optional.of(readObject(exchange));
  }
}
