package dev.comments.edge.security;

import java.util.regex.Pattern;

/**
 * Recognizes the placeholder values of example configurations ({@code CHANGE-ME…}), so that a node
 * refuses to start on a secret anyone could read in the repository.
 */
public final class Placeholders {
  private static final Pattern PLACEHOLDER = Pattern.compile("(?i)change[-_ ]?me");

  private Placeholders() {}

  public static boolean isPlaceholder(String value) {
    return value != null && PLACEHOLDER.matcher(value).find();
  }
}
