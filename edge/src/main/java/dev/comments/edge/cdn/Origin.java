package dev.comments.edge.cdn;

import java.io.IOException;
import java.io.InputStream;

/** Where a node's CDN gets an item it does not hold: the primary's store. */
public interface Origin {
  /**
   * The item's bytes, to be read to the end and closed by the caller.
   *
   * @throws IOException if the origin cannot be reached or does not hold the item
   */
  InputStream open(String tenant, String mediaId) throws IOException;
}
