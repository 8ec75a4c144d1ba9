package dev.comments.events;

import java.util.Objects;

/**
 * The web page a comment was written on, as the widget saw it: its canonical URL and its title
 * (null when it had none). It is kept for moderators, who see where a thread lives rather than its
 * opaque id; readers never get it.
 *
 * @param url an absolute http or https URL, at most {@link #MAX_URL_LENGTH} characters
 * @param title the page's title, trimmed, at most {@link #MAX_TITLE_CODE_POINTS} code points, or
 *     null
 */
public record HostPage(String url, String title) {
  public static final int MAX_URL_LENGTH = 2048;
  public static final int MAX_TITLE_CODE_POINTS = 300;

  public HostPage {
    Objects.requireNonNull(url, "url");
  }
}
