package dev.comments.edge.http;

import io.undertow.io.Receiver;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioExecutor;

/**
 * Receives a request's whole body on the IO thread, without blocking, before {@code next} runs. It
 * sits in front of the request limit, so a client that trickles its body (or stops half way) holds
 * only its connection: never a worker thread, never a place among the running API requests. A body
 * that has not arrived within the timeout gets its connection closed.
 *
 * <p>Every body the API takes is JSON, so the media type is checked before a byte is read ({@code
 * 415}); a declared length over the limit is refused before reading and a chunked body once it
 * passes the limit ({@code 413 body_too_large}). The bytes are left for {@link JsonBodyReader}.
 */
public final class ReceiveBody implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(ReceiveBody.class);
  private static final AttachmentKey<byte[]> BODY = AttachmentKey.create(byte[].class);
  private static final byte[] NONE = new byte[0];

  private final int maxBytes;
  private final Duration timeout;
  private final HttpHandler next;

  public ReceiveBody(int maxBytes, Duration timeout, HttpHandler next) {
    this.maxBytes = maxBytes;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.next = Objects.requireNonNull(next, "next");
  }

  /** The body this handler received; empty when the request carried none. */
  public static byte[] of(HttpServerExchange exchange) {
    return Objects.requireNonNullElse(exchange.getAttachment(BODY), NONE);
  }

  /** Whether the request carries a body at all: a positive length, or chunks. */
  static boolean present(HttpServerExchange exchange) {
    long declared = exchange.getRequestContentLength();
    return declared > 0
        || (declared < 0 && exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING));
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (!present(exchange)) {
      next.handleRequest(exchange);
      return;
    }
    JsonContentType.require(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
    long declared = exchange.getRequestContentLength();
    if (declared > maxBytes) {
      throw tooLarge("the request body of " + declared + " bytes exceeds the limit of " + maxBytes);
    }
    // The receiver may call back more than once after a failure (it keeps reading what is left),
    // and the deadline may fire first: whichever comes first settles the request, alone.
    AtomicBoolean settled = new AtomicBoolean();
    XnioExecutor.Key deadline =
        exchange
            .getIoThread()
            .executeAfter(
                () -> stalled(exchange, settled), timeout.toMillis(), TimeUnit.MILLISECONDS);
    Receiver receiver = exchange.getRequestReceiver();
    receiver.setMaxBufferSize(maxBytes);
    receiver.receiveFullBytes(
        (done, body) -> {
          if (settled.compareAndSet(false, true)) {
            deadline.remove();
            received(done, body);
          }
        },
        (failed, e) -> {
          if (settled.compareAndSet(false, true)) {
            deadline.remove();
            ErrorMapping.send(failed, failure(e));
          }
        });
  }

  private void received(HttpServerExchange exchange, byte[] body) {
    try {
      if (body.length > maxBytes) {
        throw failure(new Receiver.RequestToLargeException());
      }
      exchange.putAttachment(BODY, body);
      next.handleRequest(exchange);
    } catch (Exception e) {
      // Called back from the IO thread's read listener, outside the reach of ErrorHandler.
      ErrorMapping.send(exchange, e);
    }
  }

  private void stalled(HttpServerExchange exchange, AtomicBoolean settled) {
    if (!settled.compareAndSet(false, true)) {
      return;
    }
    log.debug("Request body not received within {}; closing the connection", timeout);
    try {
      exchange.getConnection().close();
    } catch (IOException e) {
      log.debug("Closing a stalled connection failed", e);
    }
  }

  ApiException failure(IOException e) {
    if (e instanceof Receiver.RequestToLargeException || e instanceof RequestTooBigException) {
      return tooLarge("the request body exceeds the limit of " + maxBytes + " bytes");
    }
    return ApiException.badRequest(
        "body_unreadable", "the request body could not be read to its end");
  }

  private static ApiException tooLarge(String message) {
    return new ApiException(413, "body_too_large", message);
  }
}
