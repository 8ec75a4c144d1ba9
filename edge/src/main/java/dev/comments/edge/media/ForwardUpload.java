package dev.comments.edge.media;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import dev.comments.edge.http.LingeringClose;
import dev.comments.edge.primary.PrimaryLink;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * An upload on a replica: refused here if its declared length is over the limit, else streamed to
 * the primary as it arrives, counted on the way so that a body longer than the limit is cut here
 * ({@code 413}) without crossing the ocean whole.
 */
public final class ForwardUpload implements HttpHandler {
  private final PrimaryLink link;
  private final long maxBytes;
  private final LingeringClose refusal;

  public ForwardUpload(PrimaryLink link, long maxBytes, LingeringClose refusal) {
    this.link = Objects.requireNonNull(link, "link");
    this.maxBytes = maxBytes;
    this.refusal = Objects.requireNonNull(refusal, "refusal");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws IOException {
    exchange.startBlocking();
    long declared = exchange.getRequestContentLength();
    if (declared > maxBytes) {
      refusal.refuse(exchange, tooLarge());
      return;
    }
    Limited body = new Limited(exchange.getInputStream(), maxBytes);
    try {
      link.forwardUpload(exchange, body, declared);
    } catch (IOException e) {
      if (body.exceeded) {
        // Counted here, so the primary never sees more than the limit: its answer to the cut
        // request is moot, the refusal is ours.
        refusal.refuse(exchange, tooLarge());
        return;
      }
      throw e;
    }
  }

  private CommandRejectedException tooLarge() {
    return new CommandRejectedException(
        Rejection.MEDIA_TOO_LARGE, "an upload may be at most " + maxBytes + " bytes");
  }

  /** Fails the read that goes past the limit. */
  private static final class Limited extends FilterInputStream {
    private final long max;
    private long read;
    private volatile boolean exceeded;

    Limited(InputStream in, long max) {
      super(in);
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    /**
     * Leaves the exchange's stream open: the HTTP client closes its body when the body fails, and
     * closing Undertow's stream reads the rest of the body to its end, the whole upload that was
     * just refused. The exchange ends it, after a bounded linger.
     */
    @Override
    public void close() {}

    private void count(int n) throws IOException {
      read += n;
      if (read > max) {
        exceeded = true;
        throw new IOException("the upload is over " + max + " bytes");
      }
    }
  }
}
