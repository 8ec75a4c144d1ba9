package dev.comments.edge.session;

import dev.comments.edge.http.ApiException;
import dev.comments.events.Author;

/**
 * The name shown beside an anonymous session's comments: 1..64 code points, no control characters.
 */
public final class DisplayName {
  public static final int MAX_CODE_POINTS = 64;

  private DisplayName() {}

  /**
   * @param raw the requested name, or {@code null} for the default
   * @throws ApiException {@code 400 invalid_field} naming {@code displayName}
   */
  public static String normalize(String raw) {
    if (raw == null) {
      return Author.ANONYMOUS_NAME;
    }
    String name = raw.strip();
    if (!isValid(name)) {
      throw ApiException.badRequest(
          "invalid_field",
          "field 'displayName' must be 1 to "
              + MAX_CODE_POINTS
              + " characters after trimming, without control characters");
    }
    return name;
  }

  static boolean isValid(String name) {
    if (name == null || name.isEmpty() || !name.equals(name.strip())) {
      return false;
    }
    int count = name.codePointCount(0, name.length());
    return count <= MAX_CODE_POINTS
        && name.codePoints().noneMatch(c -> Character.isISOControl(c) || isLoneSurrogate(c));
  }

  private static boolean isLoneSurrogate(int codePoint) {
    return codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE;
  }
}
