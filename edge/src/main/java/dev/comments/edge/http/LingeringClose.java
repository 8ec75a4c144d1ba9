package dev.comments.edge.http;

import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * Refuses a request whose body is still arriving (a blocking exchange on a worker): answers, with
 * {@code Connection: close}, then reads and drops at most {@code maxBytes} of what the client is
 * still sending, for at most {@code maxTime}, before the connection is closed.
 *
 * <p>Closing a socket that has unread data resets it, and a client that is still writing its body
 * then sees the reset, not the answer that was sent before it (RFC 9112 §9.6 asks servers to close
 * in stages for this reason). Lingering gives a client that reads while it sends the time to read
 * the answer and stop; one that does not stop is cut off after the bound, so a refused body is
 * never read (nor held) whole.
 */
public final class LingeringClose implements IoCallback {
  private final long maxBytes;
  private final long maxNanos;

  public LingeringClose(long maxBytes, Duration maxTime) {
    if (maxBytes < 0 || maxTime.isNegative()) {
      throw new IllegalArgumentException("a linger is bounded by a size and a time >= 0");
    }
    this.maxBytes = maxBytes;
    this.maxNanos = maxTime.toNanos();
  }

  /** Answers {@code exchange} with the error {@code failure} maps to, then lingers and closes. */
  public void refuse(HttpServerExchange exchange, Throwable failure) {
    exchange.setPersistent(false);
    ErrorMapping.send(exchange, failure, this);
  }

  @Override
  public void onComplete(HttpServerExchange exchange, Sender sender) {
    // The answer's length is declared: it is whole on the wire by now.
    drain(exchange);
    exchange.endExchange();
  }

  @Override
  public void onException(HttpServerExchange exchange, Sender sender, IOException exception) {
    IoCallback.END_EXCHANGE.onException(exchange, sender, exception);
  }

  private void drain(HttpServerExchange exchange) {
    // Monotonic time bounds the wait, not a date: nothing here is business logic.
    long deadline = System.nanoTime() + maxNanos;
    byte[] buffer = new byte[64 * 1024];
    long left = maxBytes;
    try {
      InputStream in = exchange.getInputStream();
      while (left > 0 && System.nanoTime() - deadline < 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          return;
        }
        left -= n;
      }
    } catch (IOException clientGone) {
      // The client read the answer and closed, or reset: either way there is nothing to wait for.
    }
  }
}
