package dev.comments.edge.media;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.MediaCommands;
import dev.comments.command.Rejection;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.LingeringClose;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.session.Session;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * {@code POST /api/v1/tenants/{tenant}/media} on the primary: the raw image body streams into the
 * media store as it arrives, checked on the way ({@link MediaCommands#upload}); never held whole.
 */
public final class UploadMediaHandler implements HttpHandler {
  private final MediaCommands media;
  private final LingeringClose refusal;

  public UploadMediaHandler(MediaCommands media, LingeringClose refusal) {
    this.media = Objects.requireNonNull(media, "media");
    this.refusal = Objects.requireNonNull(refusal, "refusal");
  }

  /** The answer: where the item is served, and what it is. */
  record Created(
      String mediaId,
      String url,
      String contentType,
      long size,
      int width,
      int height,
      String contentHash) {}

  /** Undertow's own cap on the body, if it trips first, is the same refusal as ours. */
  private static final class TooBigAsRejection extends FilterInputStream {
    TooBigAsRejection(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (RequestTooBigException e) {
        throw new CommandRejectedException(Rejection.MEDIA_TOO_LARGE, "the upload is too large");
      }
    }
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    String tenant = PathParameters.tenant(exchange);
    Session session = Session.of(exchange);
    exchange.startBlocking();
    MediaCommands.Uploaded uploaded;
    try {
      uploaded =
          media.upload(
              tenant,
              session.sessionId(),
              exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE),
              exchange.getRequestContentLength(),
              new TooBigAsRejection(exchange.getInputStream()));
    } catch (CommandRejectedException e) {
      if (e.rejection() == Rejection.MEDIA_TRUNCATED) {
        throw e; // the body was read to its end: the connection can serve the next request
      }
      // The rest of the body is not read: answer, then close without reading it whole, lingering
      // so that a client still sending gets the answer rather than a reset.
      refusal.refuse(exchange, e);
      return;
    }
    JsonResponses.send(
        exchange,
        201,
        new Created(
            uploaded.mediaId(),
            "/cdn/v1/" + tenant + "/" + uploaded.mediaId(),
            uploaded.contentType(),
            uploaded.size(),
            uploaded.width(),
            uploaded.height(),
            uploaded.contentHash()));
  }
}
