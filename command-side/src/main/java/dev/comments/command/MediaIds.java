package dev.comments.command;

import java.util.regex.Pattern;

/**
 * The form of a media id as the origin makes them: 128 random bits, 32 characters of lower-case hex
 * (hex, not base64url: the edge's request-target check refuses {@code _} in any path).
 */
public final class MediaIds {
  public static final int LENGTH = 32;

  private static final Pattern FORM = Pattern.compile("[0-9a-f]{32}");

  private MediaIds() {}

  /** Whether {@code id} has the form of an id made here; whether such an item exists is not. */
  public static boolean isWellFormed(String id) {
    return id != null && id.length() == LENGTH && FORM.matcher(id).matches();
  }
}
