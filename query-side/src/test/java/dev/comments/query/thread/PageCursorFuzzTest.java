package dev.comments.query.thread;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.comments.events.ThreadId;
import dev.comments.events.query.SortOrder;
import dev.comments.query.InvalidCursorException;
import java.nio.charset.StandardCharsets;

/**
 * Any text is refused as a page cursor with {@link InvalidCursorException} for every sort, or read
 * as exactly the cursor that encodes to it. A cursor after any comment id round-trips: encode then
 * decode gives the cursor encoded, for every sort.
 */
class PageCursorFuzzTest {
  private static final ThreadId THREAD = new ThreadId("demo", "launch-day");

  @FuzzTest(maxDuration = "10s")
  void decodes_or_refuses_and_round_trips(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);

    for (SortOrder sort : SortOrder.values()) {
      try {
        PageCursor cursor = PageCursor.decode(text, sort, THREAD);
        assertThat(cursor.sort()).isEqualTo(sort);
        assertThat(cursor.encode()).isEqualTo(text);
      } catch (InvalidCursorException refused) {
        assertThat(refused).hasMessageStartingWith("cursor");
      }
    }

    if (ThreadId.isValidThread(text)) {
      // Comment ids have the shape of thread ids; spread the numbers over the whole long range.
      long score = text.hashCode() * 0x9E3779B97F4A7C15L;
      long postedAtMillis = Long.rotateLeft(score, input.length);
      for (SortOrder sort : SortOrder.values()) {
        PageCursor cursor = PageCursor.after(sort, THREAD, score, postedAtMillis, text);
        PageCursor expected = sort == SortOrder.TOP ? cursor : withoutScore(cursor);
        assertThat(PageCursor.decode(cursor.encode(), sort, THREAD)).isEqualTo(expected);
      }
    }
  }

  /** Only {@code top} cursors carry the score; the others read back with 0. */
  private static PageCursor withoutScore(PageCursor cursor) {
    return new PageCursor(
        cursor.sort(), cursor.threadKey(), 0, cursor.postedAtMillis(), cursor.id());
  }
}
