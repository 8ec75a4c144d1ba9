package dev.comments.edge.cdn;

import dev.comments.command.MediaCommands;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.PathParameters;
import dev.comments.events.ReadPreference;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * {@code GET /internal/v1/media/{tenant}/{mediaId}} on the primary, for the other nodes' CDN fills
 * (behind the cluster key): the stored bytes, streamed as they are read from the store.
 */
public final class OriginHandler implements HttpHandler {
  private final MediaCommands media;

  public OriginHandler(MediaCommands media) {
    this.media = Objects.requireNonNull(media, "media");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String tenant = PathParameters.tenant(exchange);
    String mediaId = PathParameters.mediaId(exchange);
    MediaCommands.Origin origin =
        media
            .open(tenant, mediaId, ReadPreference.PRIMARY)
            .orElseThrow(
                () -> ApiException.notFound("media_not_found", "there is no media " + mediaId));
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, origin.file().contentType());
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, origin.file().length());
    exchange.startBlocking();
    try (InputStream in = origin.bytes();
        OutputStream out = exchange.getOutputStream()) {
      in.transferTo(out);
    }
  }
}
