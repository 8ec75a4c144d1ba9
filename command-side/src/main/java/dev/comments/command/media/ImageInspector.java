package dev.comments.command.media;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;

/**
 * Identifies an image by its magic bytes and reads its dimensions from its header, without decoding
 * it; then checks that the body ends as its format requires, which is how a truncated upload is
 * told. It works on the first bytes as they arrive and on the last few, so an upload is checked
 * while it streams and never held whole. ImageIO reads no WebP and decodes more than it needs; a
 * header reader of each format is a few lines.
 */
public final class ImageInspector {
  /** How many bytes at the end of a body {@link #checkEnd} needs. */
  public static final int TAIL = 12;

  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final byte[] PNG_END = {
    0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xae, 0x42, 0x60, (byte) 0x82
  };

  private ImageInspector() {}

  /**
   * Reads the header from the first {@code length} bytes of a body.
   *
   * @param whole whether these bytes are the whole body (a header cut short is then a truncation)
   */
  public static ImageHeader header(byte[] head, int length, boolean whole) {
    if (startsWith(head, length, PNG_MAGIC)) {
      need(length, 24, ImageFormat.PNG);
      if (!(head[12] == 'I' && head[13] == 'H' && head[14] == 'D' && head[15] == 'R')) {
        throw truncated("the PNG does not start with its IHDR chunk");
      }
      return new ImageHeader(ImageFormat.PNG, int32be(head, 16), int32be(head, 20), -1);
    }
    if (length >= 6
        && head[0] == 'G'
        && head[1] == 'I'
        && head[2] == 'F'
        && head[3] == '8'
        && (head[4] == '7' || head[4] == '9')
        && head[5] == 'a') {
      need(length, 10, ImageFormat.GIF);
      return new ImageHeader(ImageFormat.GIF, uint16le(head, 6), uint16le(head, 8), -1);
    }
    if (length >= 3
        && (head[0] & 0xff) == 0xff
        && (head[1] & 0xff) == 0xd8
        && (head[2] & 0xff) == 0xff) {
      return jpeg(head, length, whole);
    }
    if (length >= 12
        && head[0] == 'R'
        && head[1] == 'I'
        && head[2] == 'F'
        && head[3] == 'F'
        && head[8] == 'W'
        && head[9] == 'E'
        && head[10] == 'B'
        && head[11] == 'P') {
      return webp(head, length);
    }
    if (length < 12 && !whole) {
      throw truncated("the body is too short to be an image");
    }
    throw new CommandRejectedException(
        Rejection.MEDIA_TYPE_UNSUPPORTED,
        "the bytes are not a PNG, JPEG, GIF or WebP image; only those are accepted");
  }

  /**
   * Checks that a body of {@code total} bytes, ending with {@code tail} (its last {@code
   * tailLength} bytes, at most {@link #TAIL}), is a whole image of its header's format.
   */
  public static void checkEnd(ImageHeader header, byte[] tail, int tailLength, long total) {
    boolean whole =
        switch (header.format()) {
          case PNG -> endsWith(tail, tailLength, PNG_END);
          case JPEG ->
              tailLength >= 2
                  && (tail[tailLength - 2] & 0xff) == 0xff
                  && (tail[tailLength - 1] & 0xff) == 0xd9;
          case GIF -> tailLength >= 1 && tail[tailLength - 1] == 0x3b;
          case WEBP -> header.promisedLength() == total;
        };
    if (!whole) {
      throw truncated(
          "the "
              + header.format()
              + " image ends before its end marker; was the upload cut short?");
    }
  }

  private static ImageHeader jpeg(byte[] head, int length, boolean whole) {
    int at = 2;
    while (true) {
      while (at < length && (head[at] & 0xff) == 0xff) {
        at++;
      }
      if (at + 1 > length) {
        break;
      }
      int marker = head[at] & 0xff;
      at++;
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        continue;
      }
      if (at + 2 > length) {
        break;
      }
      int segment = uint16be(head, at);
      boolean frame =
          marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
      if (frame) {
        if (at + 7 > length) {
          break;
        }
        return new ImageHeader(
            ImageFormat.JPEG, uint16be(head, at + 5), uint16be(head, at + 3), -1);
      }
      if (marker == 0xd9 || marker == 0xda || segment < 2) {
        // The image data or its end came before any frame header.
        throw truncated("the JPEG has no frame header");
      }
      at += segment;
    }
    if (whole) {
      throw truncated("the JPEG ends before its frame header");
    }
    throw new CommandRejectedException(
        Rejection.MEDIA_TYPE_UNSUPPORTED,
        "the JPEG's frame header is not within its first " + length + " bytes");
  }

  private static ImageHeader webp(byte[] head, int length) {
    long promised = (int32le(head, 4) & 0xffffffffL) + 8;
    need(length, 30, ImageFormat.WEBP);
    String chunk = new String(head, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
    return switch (chunk) {
      case "VP8X" ->
          new ImageHeader(
              ImageFormat.WEBP, uint24le(head, 24) + 1, uint24le(head, 27) + 1, promised);
      case "VP8L" -> {
        if (head[20] != 0x2f) {
          throw truncated("the lossless WebP lacks its signature");
        }
        int bits = int32le(head, 21);
        yield new ImageHeader(
            ImageFormat.WEBP, (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, promised);
      }
      case "VP8 " -> {
        if ((head[23] & 0xff) != 0x9d || (head[24] & 0xff) != 0x01 || (head[25] & 0xff) != 0x2a) {
          throw truncated("the lossy WebP lacks its start code");
        }
        yield new ImageHeader(
            ImageFormat.WEBP, uint16le(head, 26) & 0x3fff, uint16le(head, 28) & 0x3fff, promised);
      }
      default ->
          throw new CommandRejectedException(
              Rejection.MEDIA_TYPE_UNSUPPORTED, "the WebP has an unknown first chunk " + chunk);
    };
  }

  private static void need(int length, int needed, ImageFormat format) {
    if (length < needed) {
      throw truncated("the " + format + " image ends inside its header");
    }
  }

  private static CommandRejectedException truncated(String message) {
    return new CommandRejectedException(Rejection.MEDIA_TRUNCATED, message);
  }

  private static boolean startsWith(byte[] bytes, int length, byte[] prefix) {
    if (length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean endsWith(byte[] bytes, int length, byte[] suffix) {
    if (length < suffix.length) {
      return false;
    }
    for (int i = 0; i < suffix.length; i++) {
      if (bytes[length - suffix.length + i] != suffix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int int32be(byte[] b, int at) {
    return ((b[at] & 0xff) << 24)
        | ((b[at + 1] & 0xff) << 16)
        | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }

  private static int int32le(byte[] b, int at) {
    return (b[at] & 0xff)
        | ((b[at + 1] & 0xff) << 8)
        | ((b[at + 2] & 0xff) << 16)
        | ((b[at + 3] & 0xff) << 24);
  }

  private static int uint24le(byte[] b, int at) {
    return (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8) | ((b[at + 2] & 0xff) << 16);
  }

  private static int uint16be(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  private static int uint16le(byte[] b, int at) {
    return (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8);
  }
}
