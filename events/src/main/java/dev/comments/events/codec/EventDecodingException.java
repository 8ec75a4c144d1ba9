package dev.comments.events.codec;

/** A stored or replicated event that this code cannot read. */
public final class EventDecodingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EventDecodingException(String message) {
    super(message);
  }

  public EventDecodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
