package dev.comments.edge.live;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The server's side of RFC 6455 framing: frames a server sends are unmasked, so the bytes of one
 * message are the same for every reader and are framed once (section 5.2).
 */
final class WebSocketFrames {
  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /** The largest payload of a control frame (ping, pong, close). */
  static final int MAX_CONTROL_PAYLOAD = 125;

  private static final int MAX_REASON_BYTES = MAX_CONTROL_PAYLOAD - 2;
  private static final ByteBuffer PING_FRAME = frame(PING, new byte[0]).asReadOnlyBuffer();

  private WebSocketFrames() {}

  /** Bytes before the payload of an unmasked frame: 2, then 2 or 8 more for a long payload. */
  static int headerLength(int payloadLength) {
    if (payloadLength < 126) {
      return 2;
    }
    return payloadLength <= 0xFFFF ? 4 : 10;
  }

  /** Writes a final unmasked frame's header at the start of {@code frame}. */
  static void writeHeader(byte[] frame, int opcode, int payloadLength) {
    frame[0] = (byte) (0x80 | opcode);
    if (payloadLength < 126) {
      frame[1] = (byte) payloadLength;
    } else if (payloadLength <= 0xFFFF) {
      frame[1] = 126;
      frame[2] = (byte) (payloadLength >>> 8);
      frame[3] = (byte) payloadLength;
    } else {
      frame[1] = 127;
      long length = payloadLength;
      for (int i = 0; i < 8; i++) {
        frame[2 + i] = (byte) (length >>> (56 - 8 * i));
      }
    }
  }

  /** A whole final frame of {@code opcode} around {@code payload}. */
  static ByteBuffer frame(int opcode, byte[] payload) {
    int header = headerLength(payload.length);
    byte[] frame = new byte[header + payload.length];
    writeHeader(frame, opcode, payload.length);
    System.arraycopy(payload, 0, frame, header, payload.length);
    return ByteBuffer.wrap(frame);
  }

  /** An empty ping; the same bytes for every connection. */
  static ByteBuffer ping() {
    return PING_FRAME.duplicate();
  }

  static ByteBuffer pong(byte[] payload) {
    return frame(PONG, payload);
  }

  /** A close frame: the code, then the reason cut to fit a control frame, on a UTF-8 boundary. */
  static ByteBuffer close(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int end = Math.min(text.length, MAX_REASON_BYTES);
    while (end < text.length && end > 0 && (text[end] & 0xC0) == 0x80) {
      end--;
    }
    byte[] payload = new byte[2 + end];
    payload[0] = (byte) (code >>> 8);
    payload[1] = (byte) code;
    System.arraycopy(text, 0, payload, 2, end);
    return frame(CLOSE, payload);
  }
}
