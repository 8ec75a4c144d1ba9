package dev.comments.command.media;

import java.util.Locale;
import java.util.Optional;

/** The image formats an upload may be, each with the one media type it is served as. */
public enum ImageFormat {
  PNG("image/png"),
  JPEG("image/jpeg"),
  GIF("image/gif"),
  WEBP("image/webp");

  private final String mediaType;

  ImageFormat(String mediaType) {
    this.mediaType = mediaType;
  }

  public String mediaType() {
    return mediaType;
  }

  /**
   * The format a declared {@code Content-Type} names, parameters and case aside; {@code image/jpg}
   * is read as JPEG, as browsers send it.
   */
  public static Optional<ImageFormat> ofDeclared(String contentType) {
    if (contentType == null) {
      return Optional.empty();
    }
    int semicolon = contentType.indexOf(';');
    String type =
        (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .trim()
            .toLowerCase(Locale.ROOT);
    if (type.equals("image/jpg")) {
      return Optional.of(JPEG);
    }
    for (ImageFormat format : values()) {
      if (format.mediaType.equals(type)) {
        return Optional.of(format);
      }
    }
    return Optional.empty();
  }
}
