package dev.comments.edge.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameReaderTest {
  private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

  /** What a reader was told, in order. */
  private static final class Told implements FrameReader.Receiver {
    final List<String> events = new ArrayList<>();

    @Override
    public void text(byte[] utf8) {
      events.add("text " + new String(utf8, StandardCharsets.UTF_8));
    }

    @Override
    public void ping(byte[] payload) {
      events.add("ping " + new String(payload, StandardCharsets.UTF_8));
    }

    @Override
    public void pong() {
      events.add("pong");
    }

    @Override
    public void closeReceived(int code) {
      events.add("close " + code);
    }

    @Override
    public void refused(int code, String reason) {
      events.add("refused " + code);
    }
  }

  /** A client's frame: masked, as RFC 6455 requires of them. */
  static byte[] clientFrame(int firstByte, byte[] payload, boolean masked) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(firstByte);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      out.write(maskBit | payload.length);
    } else if (payload.length <= 0xFFFF) {
      out.write(maskBit | 126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xFF);
    } else {
      out.write(maskBit | 127);
      for (int i = 7; i >= 0; i--) {
        out.write((int) (((long) payload.length >>> (8 * i)) & 0xFF));
      }
    }
    if (masked) {
      out.writeBytes(MASK);
    }
    for (int i = 0; i < payload.length; i++) {
      out.write(masked ? payload[i] ^ MASK[i & 3] : payload[i]);
    }
    return out.toByteArray();
  }

  static byte[] text(String text) {
    return clientFrame(0x81, text.getBytes(StandardCharsets.UTF_8), true);
  }

  private static List<String> read(int max, byte[]... frames) {
    Told told = new Told();
    FrameReader reader = new FrameReader(max);
    for (byte[] frame : frames) {
      reader.read(ByteBuffer.wrap(frame), told);
    }
    return told.events;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 125, 126, 65535, 65536})
  void reads_a_masked_text_message_whatever_its_length_form(int length) {
    String message = "y".repeat(length);

    assertThat(read(1 << 20, text(message))).containsExactly("text " + message);
  }

  @Test
  void reads_frames_split_anywhere_and_several_in_one_read() {
    byte[] both = concat(text("{\"a\":1}"), text("x".repeat(300)));
    Told told = new Told();
    FrameReader reader = new FrameReader(4096);

    for (byte b : both) {
      reader.read(ByteBuffer.wrap(new byte[] {b}), told);
    }
    reader.read(ByteBuffer.wrap(both), told);

    assertThat(told.events)
        .containsExactly(
            "text {\"a\":1}",
            "text " + "x".repeat(300),
            "text {\"a\":1}",
            "text " + "x".repeat(300));
  }

  @Test
  void joins_a_fragmented_message_and_answers_control_frames_between_its_fragments() {
    byte[] first = clientFrame(0x01, "{\"type\":".getBytes(StandardCharsets.UTF_8), true);
    byte[] ping = clientFrame(0x89, "hi".getBytes(StandardCharsets.UTF_8), true);
    byte[] last = clientFrame(0x80, "\"x\"}".getBytes(StandardCharsets.UTF_8), true);
    byte[] pong = clientFrame(0x8A, new byte[0], true);

    assertThat(read(4096, concat(first, ping, last, pong)))
        .containsExactly("ping hi", "text {\"type\":\"x\"}", "pong");
  }

  @Test
  void a_close_frame_ends_the_reading_with_its_code() {
    byte[] close = clientFrame(0x88, new byte[] {0x03, (byte) 0xE8}, true);
    byte[] empty = clientFrame(0x88, new byte[0], true);

    assertThat(read(4096, concat(close, text("after")))).containsExactly("close 1000");
    assertThat(read(4096, empty)).containsExactly("close 1005");
  }

  @Test
  void a_message_over_the_limit_is_refused_with_1009_before_its_payload_is_read() {
    byte[] big = text("z".repeat(4097));

    assertThat(read(4096, Arrays.copyOf(big, 8))).containsExactly("refused 1009");
    assertThat(read(4096, text("z".repeat(4096)))).hasSize(1).allMatch(e -> e.startsWith("text"));
  }

  @Test
  void fragments_that_add_up_past_the_limit_are_refused_with_1009() {
    byte[] first = clientFrame(0x01, new byte[3000], true);
    byte[] last = clientFrame(0x80, new byte[1097], true);

    assertThat(read(4096, first, last)).containsExactly("refused 1009");
  }

  @Test
  void a_binary_message_is_refused_with_1003() {
    assertThat(read(4096, clientFrame(0x82, new byte[] {1, 2, 3}, true)))
        .containsExactly("refused 1003");
  }

  @Test
  void frames_rfc_6455_forbids_are_refused_with_1002() {
    byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
    assertThat(read(4096, clientFrame(0x81, hello, false)))
        .as("unmasked")
        .containsExactly("refused 1002");
    assertThat(read(4096, clientFrame(0xC1, hello, true)))
        .as("RSV1")
        .containsExactly("refused 1002");
    assertThat(read(4096, clientFrame(0x83, hello, true)))
        .as("opcode 3")
        .containsExactly("refused 1002");
    assertThat(read(4096, clientFrame(0x80, hello, true)))
        .as("continuation of nothing")
        .containsExactly("refused 1002");
    assertThat(read(4096, clientFrame(0x01, hello, true), clientFrame(0x81, hello, true)))
        .as("a new message inside a fragmented one")
        .containsExactly("refused 1002");
    assertThat(read(4096, clientFrame(0x09, hello, true)))
        .as("fragmented ping")
        .containsExactly("refused 1002");
    assertThat(read(4096, clientFrame(0x89, new byte[126], true)))
        .as("long ping")
        .containsExactly("refused 1002");
    assertThat(read(4096, clientFrame(0x88, new byte[] {3}, true)))
        .as("one-byte close")
        .containsExactly("refused 1002");
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
