package dev.comments.edge.media;

import dev.comments.command.MediaCommands;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.PathParameters;
import dev.comments.edge.moderation.Actor;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Objects;

/**
 * {@code DELETE /api/v1/tenants/{tenant}/media/{mediaId}}, behind the moderator key: the item is
 * removed everywhere ({@code MediaRemoved}); every node purges it and answers 410 from then on.
 */
public final class RemoveMediaHandler implements HttpHandler {
  private final MediaCommands media;

  public RemoveMediaHandler(MediaCommands media) {
    this.media = Objects.requireNonNull(media, "media");
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    media.remove(
        PathParameters.tenant(exchange), PathParameters.mediaId(exchange), Actor.of(exchange).id());
    JsonResponses.noContent(exchange);
  }
}
