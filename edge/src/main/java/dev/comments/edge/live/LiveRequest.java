package dev.comments.edge.live;

import dev.comments.edge.abuse.ClientAddress;
import dev.comments.edge.http.ApiException;
import dev.comments.events.ThreadId;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/** What a live request names, checked: the position to resume from, a thread, the address. */
final class LiveRequest {
  private static final Pattern POSITION = Pattern.compile("-1|0|[1-9][0-9]{0,17}");

  private LiveRequest() {}

  /**
   * A position sent by a client ({@code since=}, {@code Last-Event-ID}, a subscribe message): a
   * thread position or {@code -1} (before the thread's first event).
   *
   * @throws ApiException 400 {@code invalid_since} for anything else
   */
  static OptionalLong since(String value) {
    if (value == null) {
      return OptionalLong.empty();
    }
    if (!POSITION.matcher(value).matches()) {
      throw ApiException.badRequest(
          "invalid_since",
          "since must be a thread position (an integer from -1, as the last message's"
              + " 'position' or the page's X-Thread-Position)");
    }
    return OptionalLong.of(Long.parseLong(value));
  }

  /** A thread id of {@code tenant} named by a client. */
  static ThreadId thread(String tenant, String thread) {
    if (thread == null || !ThreadId.isValidThread(thread)) {
      throw ApiException.badRequest(
          "invalid_thread", "a thread id must match [A-Za-z0-9._~:-]{1,200}");
    }
    return new ThreadId(tenant, thread);
  }

  static String address(java.net.InetSocketAddress source) {
    return ClientAddress.key(source.getAddress());
  }
}
