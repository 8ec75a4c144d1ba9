package dev.comments.events.command;

import dev.comments.events.TenantStream;
import java.time.Instant;

/**
 * A request to change a media item: one aggregate per item, stream {@code media:tenant/mediaId}.
 * Time comes with the command.
 */
public sealed interface MediaCommand permits RegisterMedia, RemoveMedia, AttachMedia {
  String tenant();

  String mediaId();

  Instant at();

  default TenantStream stream() {
    return TenantStream.media(tenant(), mediaId());
  }
}
