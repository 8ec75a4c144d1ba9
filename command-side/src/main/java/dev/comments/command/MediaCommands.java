package dev.comments.command;

import dev.comments.events.ReadPreference;
import java.io.InputStream;
import java.util.Optional;

/**
 * The port through which the edge uploads and removes media, and reads the origin's bytes. Only the
 * primary has one: the bytes live beside the event store.
 */
public interface MediaCommands {
  /** An upload that was stored and registered. */
  record Uploaded(
      String mediaId, String contentHash, String contentType, long size, int width, int height) {}

  /**
   * Streams {@code body} into the origin's store, checking it as it comes: refused with a {@link
   * CommandRejectedException} (nothing kept) when it is over the limit, not an image of an accepted
   * type, not the declared type, or cut short; else registered, which logs {@code MediaUploaded}.
   *
   * @param declaredLength the {@code Content-Length}, or -1 when the body is chunked
   */
  Uploaded upload(
      String tenant, String uploadedBy, String declaredType, long declaredLength, InputStream body);

  /** Removes an item everywhere ({@code MediaRemoved}) and deletes the origin's bytes. */
  void remove(String tenant, String mediaId, String moderatorId);

  /** The origin's bytes of an item, if it holds them; the stream is the caller's to close. */
  Optional<Origin> open(String tenant, String mediaId, ReadPreference readPreference);

  /** What the origin holds of one item. */
  record StoredFile(String contentType, String contentHash, long length) {}

  /** An item's bytes at the origin. */
  record Origin(StoredFile file, InputStream bytes) {}
}
