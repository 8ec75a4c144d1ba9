package dev.comments.edge.live;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One live message, as the websocket text frame that carries it. A message every reader of an
 * update gets is framed once and the same bytes are written to each of them; an event stream takes
 * the JSON inside.
 */
final class LiveFrame {
  private final byte[] framed;
  private final int headerLength;

  /** Read-only over {@link #framed}; each write takes a {@linkplain ByteBuffer#duplicate view}. */
  private final ByteBuffer shared;

  private LiveFrame(byte[] framed, int headerLength) {
    this.framed = framed;
    this.headerLength = headerLength;
    this.shared = ByteBuffer.wrap(framed).asReadOnlyBuffer();
  }

  static LiveFrame of(byte[] json) {
    int header = WebSocketFrames.headerLength(json.length);
    byte[] framed = new byte[header + json.length];
    WebSocketFrames.writeHeader(framed, WebSocketFrames.TEXT, json.length);
    System.arraycopy(json, 0, framed, header, json.length);
    return new LiveFrame(framed, header);
  }

  /** The whole frame, as a view of its own: its position moves as it is written. */
  ByteBuffer frame() {
    return shared.duplicate();
  }

  int length() {
    return framed.length;
  }

  /** Puts the whole frame into {@code buffer}, at its position. */
  void copyTo(ByteBuffer buffer) {
    buffer.put(framed);
  }

  String json() {
    return new String(framed, headerLength, framed.length - headerLength, StandardCharsets.UTF_8);
  }
}
