package dev.comments.command.media;

/**
 * What an upload may be.
 *
 * @param maxBytes the largest body taken ({@link #DEFAULT_MAX_BYTES})
 * @param maxSide the largest width or height an image's header may name
 * @param maxPixels the largest width × height
 */
public record MediaLimits(long maxBytes, int maxSide, long maxPixels) {
  public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
  public static final MediaLimits DEFAULTS =
      new MediaLimits(DEFAULT_MAX_BYTES, 16_384, 50_000_000L);

  public MediaLimits {
    if (maxBytes < 1 || maxSide < 1 || maxPixels < 1) {
      throw new IllegalArgumentException("media limits must be positive");
    }
  }
}
