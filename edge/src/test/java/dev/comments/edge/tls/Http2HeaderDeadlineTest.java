package dev.comments.edge.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Following HTTP/2 frames across reads that split them anywhere. */
class Http2HeaderDeadlineTest {
  private static final int DATA = 0x0;
  private static final int HEADERS = 0x1;
  private static final int SETTINGS = 0x4;
  private static final int CONTINUATION = 0x9;
  private static final int END_HEADERS = 0x4;

  private final List<String> events = new ArrayList<>();
  private final Http2HeaderDeadline.Frames frames =
      new Http2HeaderDeadline.Frames(() -> events.add("open"), () -> events.add("closed"));

  @Test
  void a_header_block_opens_at_headers_without_end_headers_and_closes_at_its_last_continuation() {
    byte[] bytes =
        concat(
            preface(),
            frame(SETTINGS, 0, new byte[12]),
            frame(HEADERS, END_HEADERS, new byte[40]),
            frame(DATA, 0, filledWith((byte) HEADERS, 70_000)),
            frame(HEADERS, 0, new byte[30]),
            frame(CONTINUATION, 0, new byte[5]),
            frame(CONTINUATION, END_HEADERS, new byte[5]),
            frame(HEADERS, 0, new byte[30]));

    // The same bytes, read whole and in random cuts (a frame header split anywhere).
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      events.clear();
      Http2HeaderDeadline.Frames fresh =
          new Http2HeaderDeadline.Frames(() -> events.add("open"), () -> events.add("closed"));
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      int at = 0;
      while (at < bytes.length) {
        int to = round == 0 ? bytes.length : Math.min(bytes.length, at + 1 + random.nextInt(20));
        fresh.follow(buffer, at, to);
        at = to;
      }
      assertThat(events).containsExactly("open", "closed", "open");
      assertThat(fresh.headerBlockOpen()).isTrue();
      assertThat(buffer.position()).isZero();
    }
  }

  @Test
  void payload_bytes_that_look_like_frame_headers_are_skipped() {
    byte[] lookalike = frame(HEADERS, 0, new byte[0]);
    frames.follow(
        ByteBuffer.wrap(concat(preface(), frame(DATA, 0, concat(lookalike, lookalike)))),
        0,
        preface().length + 9 + 2 * lookalike.length);

    assertThat(events).isEmpty();
    assertThat(frames.headerBlockOpen()).isFalse();
  }

  private static byte[] preface() {
    return "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] frame(int type, int flags, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.write(type);
    out.write(flags);
    out.writeBytes(new byte[] {0, 0, 0, 1});
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private static byte[] filledWith(byte value, int length) {
    byte[] bytes = new byte[length];
    java.util.Arrays.fill(bytes, value);
    return bytes;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
