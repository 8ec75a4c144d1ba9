package dev.comments.edge.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Optional;

/**
 * Parses the JSON object body that {@link ReceiveBody} received: media type (415), then UTF-8 and
 * JSON (400). Size was settled while receiving.
 */
public final class JsonBodyReader {
  private final StrictJson json;

  public JsonBodyReader(int maxBytes) {
    this.json = new StrictJson(maxBytes);
  }

  public ObjectNode readObject(HttpServerExchange exchange) {
    // Again here: a request without any body has not been through the check in ReceiveBody.
    JsonContentType.require(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
    return json.parseObject(ReceiveBody.of(exchange));
  }

  /** The body's object, or empty when the request carries no body at all. */
  public Optional<ObjectNode> readOptionalObject(HttpServerExchange exchange) {
    return ReceiveBody.present(exchange) ? Optional.of(readObject(exchange)) : Optional.empty();
  }
}
