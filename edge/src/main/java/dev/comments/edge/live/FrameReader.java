package dev.comments.edge.live;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads a client's RFC 6455 frames as they arrive, in whatever pieces: text messages (whole, after
 * their continuations), pings, pongs and the close. What this protocol refuses ends the reading
 * with the close code docs/live.md names: 1002 for a frame RFC 6455 forbids (unmasked, reserved
 * bits, an unknown opcode, a long or fragmented control frame, a continuation of nothing), 1003 for
 * a binary message, 1009 for a text message over the limit. One reader per connection, used on its
 * IO thread; it holds 18 bytes until a message starts, so an idle connection costs little.
 */
final class FrameReader {
  /** What the frames read say. */
  interface Receiver {
    void text(byte[] utf8);

    void ping(byte[] payload);

    void pong();

    /** The peer's close frame, with its code, or 1005 when it gave none. */
    void closeReceived(int code);

    /** A frame this side refuses; the connection is to be closed with {@code code}. */
    void refused(int code, String reason);
  }

  static final int NO_STATUS = 1005;

  private final int maxMessageBytes;
  private final byte[] header = new byte[14];
  private int headerHave;
  private int headerNeed = 2;
  private boolean inPayload;
  private int opcode;
  private boolean fin;
  private int maskOffset;
  private int payloadLength;
  private int payloadRead;
  private byte[] control;

  /** The text message being read, over its frames; null between messages. */
  private byte[] message;

  private int messageLength;
  private boolean done;

  FrameReader(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Reads what {@code in} holds, telling {@code receiver} of each message or control frame.
   *
   * @return false once the peer closed or a frame was refused: nothing more is to be read
   */
  boolean read(ByteBuffer in, Receiver receiver) {
    while (!done && (in.hasRemaining() || (inPayload && payloadRead == payloadLength))) {
      if (!inPayload) {
        int take = Math.min(headerNeed - headerHave, in.remaining());
        in.get(header, headerHave, take);
        headerHave += take;
        if (headerHave < headerNeed) {
          return true;
        }
        if (headerNeed == 2) {
          String refusal = checkStart();
          if (refusal != null) {
            return refuse(receiver, refusal.startsWith("binary") ? 1003 : 1002, refusal);
          }
          int length = header[1] & 0x7F;
          headerNeed = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + 4;
          continue;
        }
        if (!startPayload(receiver)) {
          return false;
        }
        continue;
      }
      int take = Math.min(payloadLength - payloadRead, in.remaining());
      byte[] target = opcode >= WebSocketFrames.CLOSE ? control : message;
      int at = opcode >= WebSocketFrames.CLOSE ? payloadRead : messageLength;
      for (int i = 0; i < take; i++) {
        target[at + i] = (byte) (in.get() ^ header[maskOffset + ((payloadRead + i) & 3)]);
      }
      payloadRead += take;
      if (opcode < WebSocketFrames.CLOSE) {
        messageLength += take;
      }
      if (payloadRead == payloadLength) {
        inPayload = false;
        headerHave = 0;
        headerNeed = 2;
        if (!frameRead(receiver)) {
          return false;
        }
      }
    }
    return !done;
  }

  /** The first two bytes: what RFC 6455 and this protocol allow, or why not. */
  private String checkStart() {
    fin = (header[0] & 0x80) != 0;
    opcode = header[0] & 0x0F;
    int length = header[1] & 0x7F;
    if ((header[0] & 0x70) != 0) {
      return "reserved bits set: no extension was agreed";
    }
    if ((header[1] & 0x80) == 0) {
      return "a client's frames must be masked";
    }
    return switch (opcode) {
      case WebSocketFrames.CLOSE, WebSocketFrames.PING, WebSocketFrames.PONG ->
          !fin || length > WebSocketFrames.MAX_CONTROL_PAYLOAD
              ? "a control frame is final and at most 125 bytes"
              : null;
      case WebSocketFrames.TEXT -> message != null ? "a new message inside a fragmented one" : null;
      case WebSocketFrames.CONTINUATION -> message == null ? "a continuation of nothing" : null;
      case WebSocketFrames.BINARY -> "binary messages are not part of this protocol";
      default -> "unknown opcode " + opcode;
    };
  }

  /** The header is whole: its length is known, and checked against the limits. */
  private boolean startPayload(Receiver receiver) {
    long length = header[1] & 0x7F;
    int at = 2;
    if (length == 126) {
      length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
      at = 4;
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | (header[2 + i] & 0xFF);
      }
      at = 10;
    }
    maskOffset = at;
    if (opcode >= WebSocketFrames.CLOSE) {
      control = new byte[(int) length];
    } else {
      if (length < 0 || messageLength + length > maxMessageBytes) {
        return refuse(receiver, 1009, "a message is at most " + maxMessageBytes + " bytes");
      }
      if (message == null) {
        message = new byte[(int) length];
      } else if (messageLength + length > message.length) {
        message = Arrays.copyOf(message, (int) (messageLength + length));
      }
    }
    payloadLength = (int) length;
    payloadRead = 0;
    inPayload = true;
    return true;
  }

  private boolean frameRead(Receiver receiver) {
    switch (opcode) {
      case WebSocketFrames.CLOSE -> {
        if (control.length == 1) {
          return refuse(receiver, 1002, "a close frame's code is two bytes");
        }
        int code =
            control.length == 0 ? NO_STATUS : ((control[0] & 0xFF) << 8) | (control[1] & 0xFF);
        done = true;
        receiver.closeReceived(code);
        return false;
      }
      case WebSocketFrames.PING -> receiver.ping(control);
      case WebSocketFrames.PONG -> receiver.pong();
      default -> {
        if (fin) {
          byte[] text =
              messageLength == message.length ? message : Arrays.copyOf(message, messageLength);
          message = null;
          messageLength = 0;
          receiver.text(text);
        }
      }
    }
    control = null;
    return !done;
  }

  /** Reads nothing more: the connection is closing. */
  void stop() {
    done = true;
  }

  private boolean refuse(Receiver receiver, int code, String reason) {
    done = true;
    receiver.refused(code, reason);
    return false;
  }
}
