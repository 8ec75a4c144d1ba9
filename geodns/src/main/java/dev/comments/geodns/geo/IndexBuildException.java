package dev.comments.geodns.geo;

/**
 * The database could not be turned into an index: missing, truncated, corrupt or of a wrong type.
 */
public final class IndexBuildException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  IndexBuildException(String message, Throwable cause) {
    super(message, cause);
  }

  IndexBuildException(String message) {
    super(message);
  }
}
