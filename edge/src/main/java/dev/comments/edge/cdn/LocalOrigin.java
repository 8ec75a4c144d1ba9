package dev.comments.edge.cdn;

import dev.comments.command.MediaCommands;
import dev.comments.events.ReadPreference;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/** The primary's origin: the media store beside its event store, read in process. */
public final class LocalOrigin implements Origin {
  private final MediaCommands media;

  public LocalOrigin(MediaCommands media) {
    this.media = Objects.requireNonNull(media, "media");
  }

  @Override
  public InputStream open(String tenant, String mediaId) throws IOException {
    return media
        .open(tenant, mediaId, ReadPreference.PRIMARY)
        .orElseThrow(() -> new FileNotFoundException("the origin holds no " + mediaId))
        .bytes();
  }
}
