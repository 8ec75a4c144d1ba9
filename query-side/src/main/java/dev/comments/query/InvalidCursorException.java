package dev.comments.query;

/** A page cursor that this projection did not make, or that was tampered with. */
public final class InvalidCursorException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidCursorException(String message) {
    super(message);
  }
}
