package dev.comments.edge.session;

import dev.comments.edge.http.ApiException;
import dev.comments.events.Author;

/**
 * The name shown beside an anonymous session's comments: 1..64 code points, no control characters
 * and no invisible format characters (Unicode category Cf: bidirectional overrides and isolates,
 * zero-width spaces and joiners, the byte order mark). A name is shown beside text it does not own,
 * so it must not be able to reorder or hide what follows it ("Trojan Source"); unlike comment text,
 * which is cleaned, a name is refused, so that its owner sees what others will see.
 */
public final class DisplayName {
  public static final int MAX_CODE_POINTS = 64;

  private DisplayName() {}

  /**
   * @param raw the requested name, or {@code null} for the default
   * @throws ApiException {@code 400 invalid_field} naming {@code displayName}, or {@code 400
   *     invisible_character} for a format character
   */
  public static String normalize(String raw) {
    if (raw == null) {
      return Author.ANONYMOUS_NAME;
    }
    String name = raw.strip();
    int[] codePoints = name.codePoints().toArray();
    for (int i = 0; i < codePoints.length; i++) {
      if (Character.getType(codePoints[i]) == Character.FORMAT) {
        throw ApiException.badRequest(
            "invisible_character",
            String.format(
                "field 'displayName' holds the invisible format character U+%04X at character %d;"
                    + " bidirectional controls and zero-width characters are not allowed in names",
                codePoints[i], i + 1));
      }
    }
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
        && name.codePoints()
            .noneMatch(
                c ->
                    Character.isISOControl(c)
                        || isLoneSurrogate(c)
                        || Character.getType(c) == Character.FORMAT);
  }

  private static boolean isLoneSurrogate(int codePoint) {
    return codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE;
  }
}
