package dev.comments.events.query;

/**
 * An image a comment shows, as this node knows it. {@code contentType}, {@code width} and {@code
 * height} come from the item's {@code MediaUploaded}; a node that has not applied it yet knows only
 * the id ({@code contentType} null, sizes 0).
 */
public record CommentMedia(
    String tenant, String mediaId, String contentType, int width, int height) {
  /** An item this node has not seen uploaded yet. */
  public static CommentMedia idOnly(String tenant, String mediaId) {
    return new CommentMedia(tenant, mediaId, null, 0, 0);
  }

  public boolean known() {
    return contentType != null;
  }
}
