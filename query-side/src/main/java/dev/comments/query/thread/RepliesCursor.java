package dev.comments.query.thread;

import dev.comments.events.ThreadId;
import dev.comments.query.InvalidCursorException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where the next replies of a comment's tree start: the position (in posting order) of the last
 * reply shown, with short digests of the thread and of the comment, as URL-safe base64 of {@code
 * r1.<thread>.<comment>.<position>}. Like {@link PageCursor} it is not signed but strictly checked,
 * so one made for another thread or comment is refused rather than paging the wrong tree.
 */
record RepliesCursor(String threadKey, String commentKey, int after) {
  private static final String VERSION = "r1";

  static RepliesCursor after(ThreadId thread, String commentId, int position) {
    return new RepliesCursor(PageCursor.threadKey(thread), PageCursor.digest(commentId), position);
  }

  String encode() {
    String text = VERSION + "." + threadKey + "." + commentKey + "." + after;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a cursor for the replies of {@code commentId} in {@code thread}.
   *
   * @throws InvalidCursorException saying what is wrong with it
   */
  static RepliesCursor decode(String cursor, ThreadId thread, String commentId) {
    String[] fields = PageCursor.text(cursor).split("\\.", -1);
    if (fields.length != 4 || !VERSION.equals(fields[0])) {
      throw new InvalidCursorException("cursor is not a replies cursor this server knows");
    }
    if (!fields[1].equals(PageCursor.threadKey(thread))) {
      throw new InvalidCursorException("cursor was made for another thread");
    }
    if (!fields[2].equals(PageCursor.digest(commentId))) {
      throw new InvalidCursorException("cursor was made for the replies of another comment");
    }
    long position = PageCursor.number(fields[3], "position");
    if (position < 0 || position > Integer.MAX_VALUE) {
      throw new InvalidCursorException("cursor is malformed: its position is out of range");
    }
    RepliesCursor parsed = new RepliesCursor(fields[1], fields[2], (int) position);
    if (!parsed.encode().equals(cursor)) {
      throw new InvalidCursorException("cursor is not in canonical form");
    }
    return parsed;
  }
}
