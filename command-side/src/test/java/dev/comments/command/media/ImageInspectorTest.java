package dev.comments.command.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageInspectorTest {
  @ParameterizedTest
  @ValueSource(strings = {"png", "jpeg", "gif"})
  void reads_the_format_and_size_of_a_real_image_and_accepts_its_end(String type)
      throws IOException {
    byte[] image = encode(type, 37, 21);

    ImageHeader header = ImageInspector.header(image, image.length, true);
    ImageInspector.checkEnd(header, tail(image), Math.min(12, image.length), image.length);

    assertThat(header.format().mediaType()).isEqualTo("image/" + type);
    assertThat(header.width()).isEqualTo(37);
    assertThat(header.height()).isEqualTo(21);
  }

  @Test
  void reads_a_lossless_webp_header_and_checks_its_riff_length() {
    byte[] webp = webp(300, 200, 40);

    ImageHeader header = ImageInspector.header(webp, webp.length, true);
    ImageInspector.checkEnd(header, tail(webp), 12, webp.length);

    assertThat(header).isEqualTo(new ImageHeader(ImageFormat.WEBP, 300, 200, webp.length));
    assertThatThrownBy(() -> ImageInspector.checkEnd(header, tail(webp), 12, webp.length - 1))
        .extracting(e -> ((CommandRejectedException) e).rejection())
        .isEqualTo(Rejection.MEDIA_TRUNCATED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"png", "jpeg", "gif"})
  void an_image_cut_short_is_truncated(String type) throws IOException {
    byte[] image = encode(type, 64, 64);
    byte[] cut = Arrays.copyOf(image, image.length - 5);

    ImageHeader header = ImageInspector.header(cut, cut.length, true);

    assertThatThrownBy(() -> ImageInspector.checkEnd(header, tail(cut), 12, cut.length))
        .extracting(e -> ((CommandRejectedException) e).rejection())
        .isEqualTo(Rejection.MEDIA_TRUNCATED);
  }

  @Test
  void a_header_cut_short_is_truncated() throws IOException {
    byte[] png = encode("png", 10, 10);

    assertThatThrownBy(() -> ImageInspector.header(png, 20, true))
        .extracting(e -> ((CommandRejectedException) e).rejection())
        .isEqualTo(Rejection.MEDIA_TRUNCATED);
  }

  @Test
  void bytes_of_another_kind_are_unsupported() {
    byte[] svg = "<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ImageInspector.header(svg, svg.length, true))
        .extracting(e -> ((CommandRejectedException) e).rejection())
        .isEqualTo(Rejection.MEDIA_TYPE_UNSUPPORTED);
  }

  @Test
  void a_declared_type_is_read_without_its_parameters_and_jpg_means_jpeg() {
    assertThat(ImageFormat.ofDeclared("IMAGE/PNG; q=1")).contains(ImageFormat.PNG);
    assertThat(ImageFormat.ofDeclared("image/jpg")).contains(ImageFormat.JPEG);
    assertThat(ImageFormat.ofDeclared("image/svg+xml")).isEmpty();
    assertThat(ImageFormat.ofDeclared(null)).isEmpty();
  }

  static byte[] encode(String type, int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        image.setRGB(x, y, (x * 7 + y * 13) * 0x010203);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image, type, out)).isTrue();
    return out.toByteArray();
  }

  /** A lossless WebP's header and a body of {@code payload} bytes: the header is what is read. */
  static byte[] webp(int width, int height, int payload) {
    int chunk = 5 + payload;
    ByteBuffer b = ByteBuffer.allocate(20 + chunk).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(12 + chunk);
    b.put("WEBP".getBytes(StandardCharsets.US_ASCII));
    b.put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(chunk);
    b.put((byte) 0x2f).putInt((width - 1) | ((height - 1) << 14));
    return b.array();
  }

  private static byte[] tail(byte[] bytes) {
    return Arrays.copyOfRange(bytes, Math.max(0, bytes.length - 12), bytes.length);
  }
}
