package dev.comments.edge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.events.codec.EventJson;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/** Writes response bodies: JSON in UTF-8, instants as ISO-8601 strings, nulls kept. */
public final class JsonResponses {
  public static final String JSON = "application/json";

  private static final ObjectMapper MAPPER = EventJson.newMapper();

  private JsonResponses() {}

  public static void send(HttpServerExchange exchange, int status, Object body) {
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON);
    exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
  }
}
