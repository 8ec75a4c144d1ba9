package dev.comments.edge.cdn;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The media CDN of a node.
 *
 * @param cacheDir where the on-disk cache lives (it survives restarts); empty: no CDN routes
 * @param cacheBytes the cache's byte budget; least recently used items go beyond it
 * @param maxUploadBytes the largest upload taken, refused with 413 while it streams
 */
public record CdnSettings(Optional<Path> cacheDir, long cacheBytes, long maxUploadBytes) {
  public static final long DEFAULT_CACHE_BYTES = 1024L * 1024 * 1024;
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 10L * 1024 * 1024;

  /** No cache directory, hence no CDN: for edges of tests of other features. */
  public static final CdnSettings NONE =
      new CdnSettings(Optional.empty(), DEFAULT_CACHE_BYTES, DEFAULT_MAX_UPLOAD_BYTES);

  public CdnSettings {
    Objects.requireNonNull(cacheDir, "cacheDir");
    if (cacheBytes < 1 || maxUploadBytes < 1) {
      throw new IllegalArgumentException("cacheBytes and maxUploadBytes must be positive");
    }
  }

  public static CdnSettings in(Path cacheDir, long cacheBytes, long maxUploadBytes) {
    return new CdnSettings(Optional.of(cacheDir), cacheBytes, maxUploadBytes);
  }
}
