package dev.comments.command;

import java.util.Objects;

/** A command that broke a business rule; nothing was stored. */
public final class CommandRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Rejection rejection;

  public CommandRejectedException(Rejection rejection, String message) {
    super(message, null, false, false);
    this.rejection = Objects.requireNonNull(rejection, "rejection");
  }

  public Rejection rejection() {
    return rejection;
  }
}
