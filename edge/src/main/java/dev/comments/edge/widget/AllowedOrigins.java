package dev.comments.edge.widget;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The web origins whose pages may call a tenant's API from a browser (CORS). Each entry is an
 * origin, {@code https://news.example}, or an origin with any port, {@code http://localhost:*}.
 * Nothing else matches: no wildcard hosts, so a tenant always names the sites it trusts.
 */
public record AllowedOrigins(List<Entry> entries) {
  public static final AllowedOrigins NONE = new AllowedOrigins(List.of());

  public AllowedOrigins {
    entries = List.copyOf(entries);
  }

  /**
   * @throws IllegalArgumentException naming the first entry that is not an origin
   */
  public static AllowedOrigins of(Collection<String> origins) {
    List<Entry> entries = new ArrayList<>();
    for (String origin : origins) {
      entries.add(Entry.parse(origin));
    }
    return new AllowedOrigins(entries);
  }

  /** Whether a browser's {@code Origin} header names one of these; {@code null} never does. */
  public boolean allows(String origin) {
    if (origin == null) {
      return false;
    }
    Entry asked;
    try {
      asked = Entry.parse(origin);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (asked.anyPort()) {
      return false;
    }
    return entries.stream().anyMatch(entry -> entry.matches(asked));
  }

  @Override
  public String toString() {
    return entries.stream().map(Entry::toString).toList().toString();
  }

  /**
   * One allowed origin: scheme and host in lower case, the port as written or the scheme's default,
   * or any port.
   */
  public record Entry(String scheme, String host, int port, boolean anyPort) {
    static Entry parse(String origin) {
      String text = origin == null ? "" : origin.strip();
      boolean anyPort = text.endsWith(":*");
      String plain = anyPort ? text.substring(0, text.length() - 2) : text;
      URI uri;
      try {
        uri = new URI(plain);
      } catch (URISyntaxException e) {
        throw notAnOrigin(origin);
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https"))
          || uri.getHost() == null
          || uri.getRawUserInfo() != null
          || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || (anyPort && uri.getPort() != -1)) {
        throw notAnOrigin(origin);
      }
      int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
      return new Entry(
          scheme, uri.getHost().toLowerCase(Locale.ROOT), anyPort ? -1 : port, anyPort);
    }

    private static IllegalArgumentException notAnOrigin(String origin) {
      return new IllegalArgumentException(
          "not an origin (scheme://host[:port] or scheme://host:*): " + origin);
    }

    boolean matches(Entry asked) {
      return scheme.equals(asked.scheme)
          && host.equals(asked.host)
          && (anyPort || port == asked.port);
    }

    @Override
    public String toString() {
      return scheme + "://" + host + (anyPort ? ":*" : ":" + port);
    }
  }
}
