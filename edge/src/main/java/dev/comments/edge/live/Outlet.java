package dev.comments.edge.live;

import java.util.function.Consumer;
import org.xnio.XnioIoThread;

/** Where a live connection's messages go: a websocket or an event stream. */
interface Outlet {
  /**
   * Queues one message for writing; {@code done} runs once it was written (true) or failed. Called
   * on the connection's IO thread. The frame may be shared with other connections: an outlet writes
   * its own {@linkplain LiveFrame#frame view} of it.
   *
   * @param type the message type, which an event stream names in its {@code event:} line
   * @param id the position an event stream names in its {@code id:} line, or null
   */
  void send(LiveFrame frame, String type, String id, Consumer<Boolean> done);

  /** Keeps an idle connection open and proves the peer is there. */
  void ping();

  /** Closes the connection, with a close code and reason where the transport has them. */
  void close(int code, String reason);

  XnioIoThread ioThread();
}
