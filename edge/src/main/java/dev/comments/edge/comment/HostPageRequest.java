package dev.comments.edge.comment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.comments.edge.http.ApiException;
import dev.comments.events.HostPage;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Iterator;
import java.util.Locale;

/**
 * A post's {@code "page": {"url": "…", "title": "…"}}: the page the widget was embedded in, kept
 * for moderators. The URL must be absolute http or https, at most {@link HostPage#MAX_URL_LENGTH}
 * characters, without whitespace or control characters; the title is optional, trimmed, at most
 * {@link HostPage#MAX_TITLE_CODE_POINTS} code points, without control characters (an empty one is
 * none). Every mistake is {@code 400 invalid_page}; the answer never repeats what was sent, which a
 * moderator's page might otherwise show.
 */
final class HostPageRequest {
  static final String CODE = "invalid_page";

  private HostPageRequest() {}

  /** The page of {@code value}; absent or null is none. */
  static HostPage from(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isObject()) {
      throw invalid("field 'page' must be an object {\"url\": …, \"title\": …}, or null");
    }
    for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("url") && !name.equals("title")) {
        throw invalid("unknown field 'page." + name + "'; a page takes url, title");
      }
    }
    return new HostPage(url(value.get("url")), title(value.get("title")));
  }

  private static String url(JsonNode value) {
    if (value == null || !value.isTextual()) {
      throw invalid("field 'page.url' is required: the page's absolute http or https URL");
    }
    String url = value.textValue();
    if (url.length() > HostPage.MAX_URL_LENGTH) {
      throw invalid("field 'page.url' may be at most " + HostPage.MAX_URL_LENGTH + " characters");
    }
    if (url.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw invalid("field 'page.url' must not hold whitespace or control characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw invalid("field 'page.url' is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getRawAuthority() == null
        || uri.getRawAuthority().isEmpty()) {
      throw invalid("field 'page.url' must be an absolute http or https URL");
    }
    return url;
  }

  private static String title(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw invalid("field 'page.title' must be a string or null");
    }
    String title = value.textValue();
    if (title.codePoints().anyMatch(Character::isISOControl)) {
      throw invalid("field 'page.title' must not hold control characters");
    }
    String trimmed = title.strip();
    if (trimmed.codePointCount(0, trimmed.length()) > HostPage.MAX_TITLE_CODE_POINTS) {
      throw invalid(
          "field 'page.title' may be at most " + HostPage.MAX_TITLE_CODE_POINTS + " characters");
    }
    return trimmed.isEmpty() ? null : trimmed;
  }

  private static ApiException invalid(String message) {
    return ApiException.badRequest(CODE, message);
  }
}
