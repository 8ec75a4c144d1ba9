package dev.comments.edge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.comments.events.codec.EventJson;
import io.undertow.io.IoCallback;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/** Writes response bodies: JSON in UTF-8, instants as ISO-8601 strings, nulls kept. */
public final class JsonResponses {
  public static final String JSON = "application/json";

  private static final ObjectMapper MAPPER = EventJson.newMapper();

  /** The body bytes sent, kept so that an idempotent command can remember its answer. */
  private static final AttachmentKey<byte[]> SENT = AttachmentKey.create(byte[].class);

  private JsonResponses() {}

  public static void send(HttpServerExchange exchange, int status, Object body) {
    sendBytes(exchange, status, bytes(body));
  }

  /** {@code body} as JSON. */
  public static byte[] bytes(Object body) {
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a JSON body that is already serialized (an answer remembered before). */
  public static void sendBytes(HttpServerExchange exchange, int status, byte[] bytes) {
    exchange.putAttachment(SENT, bytes);
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON);
    exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
  }

  /**
   * Sends a JSON body, then runs {@code then} instead of ending the exchange (which must end it).
   * The length is declared, so the answer is complete on the wire before {@code then} runs.
   */
  public static void sendBytes(
      HttpServerExchange exchange, int status, byte[] bytes, IoCallback then) {
    exchange.putAttachment(SENT, bytes);
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON);
    exchange.setResponseContentLength(bytes.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(bytes), then);
  }

  /** {@code 204 No Content}: done, nothing to say. */
  public static void noContent(HttpServerExchange exchange) {
    exchange.setStatusCode(204);
    exchange.endExchange();
  }

  /** The JSON body this exchange was answered with, if it was sent here. */
  public static Optional<byte[]> sent(HttpServerExchange exchange) {
    return Optional.ofNullable(exchange.getAttachment(SENT));
  }
}
