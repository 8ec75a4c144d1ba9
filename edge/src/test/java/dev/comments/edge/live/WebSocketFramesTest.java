package dev.comments.edge.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebSocketFramesTest {

  /** The payload length as RFC 6455 reads it: 7 bits, then 16 or 64 more. */
  static int payloadLength(ByteBuffer frame) {
    int seven = frame.get(1) & 0x7F;
    if (seven < 126) {
      return seven;
    }
    if (seven == 126) {
      return ((frame.get(2) & 0xFF) << 8) | (frame.get(3) & 0xFF);
    }
    long length = 0;
    for (int i = 0; i < 8; i++) {
      length = (length << 8) | (frame.get(2 + i) & 0xFF);
    }
    return Math.toIntExact(length);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 70000})
  void a_text_frame_is_final_unmasked_and_says_its_length_in_the_shortest_form(int length) {
    byte[] json = new byte[length];
    Arrays.fill(json, (byte) 'x');

    ByteBuffer frame = LiveFrame.of(json).frame();

    int header = length <= 125 ? 2 : length <= 65535 ? 4 : 10;
    assertThat(frame.remaining()).isEqualTo(header + length);
    assertThat(frame.get(0) & 0xFF).isEqualTo(0x81);
    assertThat(frame.get(1) & 0x80).as("unmasked").isZero();
    assertThat(frame.get(1) & 0x7F).isEqualTo(length <= 125 ? length : length <= 65535 ? 126 : 127);
    assertThat(payloadLength(frame)).isEqualTo(length);
  }

  @Test
  void every_reader_gets_its_own_view_of_the_same_bytes() {
    LiveFrame shared =
        LiveFrame.of("{\"type\":\"comment-posted\"}".getBytes(StandardCharsets.UTF_8));

    ByteBuffer first = shared.frame();
    first.position(first.limit());
    ByteBuffer second = shared.frame();

    assertThat(second.position()).isZero();
    assertThat(second.isReadOnly()).isTrue();
    assertThat(shared.json()).isEqualTo("{\"type\":\"comment-posted\"}");
  }

  @Test
  void a_close_reason_is_cut_to_123_bytes_on_a_character_boundary() {
    ByteBuffer close = WebSocketFrames.close(4408, "é".repeat(100));

    assertThat(close.get(0) & 0xFF).isEqualTo(0x88);
    int payload = payloadLength(close);
    assertThat(payload).isLessThanOrEqualTo(125);
    assertThat(((close.get(2) & 0xFF) << 8) | (close.get(3) & 0xFF)).isEqualTo(4408);
    byte[] reason = new byte[payload - 2];
    close.get(4, reason);
    assertThat(new String(reason, StandardCharsets.UTF_8)).isEqualTo("é".repeat(61));
  }
}
