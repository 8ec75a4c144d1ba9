package dev.comments.query.thread;

import dev.comments.events.CommentStatus;
import dev.comments.events.ThreadId;
import dev.comments.events.query.SortOrder;
import dev.comments.query.InvalidCursorException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where the next page of top-level comments starts: the sort key of the last comment shown (for
 * {@code top} its score, then for all its post time and id), the sort it belongs to and a short
 * digest of the thread, as URL-safe base64 of {@code 1.<sort>.<thread>.[<score>.]<millis>.<id>}.
 *
 * <p>It is not signed: forging one only lets a reader start a page of a thread they may read anyway
 * somewhere else. It is validated strictly, so a cursor that was cut, edited, or made for another
 * sort or thread is refused with a precise message instead of silently paging wrong.
 */
record PageCursor(SortOrder sort, String threadKey, long score, long postedAtMillis, String id) {
  static final int MAX_LENGTH = 512;
  private static final String VERSION = "1";
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern CANONICAL_LONG = Pattern.compile("0|-?[1-9][0-9]{0,18}");

  /** The cursor that continues after {@code last} in {@code sort}. */
  static PageCursor after(
      SortOrder sort, ThreadId thread, long score, long postedAtMillis, String id) {
    return new PageCursor(sort, threadKey(thread), score, postedAtMillis, id);
  }

  String encode() {
    StringBuilder text =
        new StringBuilder(VERSION).append('.').append(code(sort)).append('.').append(threadKey);
    if (sort == SortOrder.TOP) {
      text.append('.').append(score);
    }
    text.append('.').append(postedAtMillis).append('.').append(id);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a cursor for a page of {@code thread} in {@code sort}.
   *
   * @throws InvalidCursorException saying what is wrong with it
   */
  static PageCursor decode(String cursor, SortOrder sort, ThreadId thread) {
    String text = text(cursor);
    String[] head = text.split("\\.", 3);
    if (head.length < 3 || !VERSION.equals(head[0])) {
      throw new InvalidCursorException("cursor is not in a format this server knows");
    }
    SortOrder madeFor = sortOf(head[1]);
    if (madeFor != sort) {
      throw new InvalidCursorException(
          "cursor was made for sort '" + madeFor.wireName() + "', not '" + sort.wireName() + "'");
    }
    String[] fields = head[2].split("\\.", sort == SortOrder.TOP ? 4 : 3);
    if (fields.length != (sort == SortOrder.TOP ? 4 : 3)) {
      throw new InvalidCursorException("cursor is malformed: it lacks fields");
    }
    if (!fields[0].equals(threadKey(thread))) {
      throw new InvalidCursorException("cursor was made for another thread");
    }
    int at = 1;
    long score = sort == SortOrder.TOP ? number(fields[at++], "score") : 0;
    long postedAtMillis = number(fields[at++], "time");
    String id = fields[at];
    if (id.isEmpty()) {
      throw new InvalidCursorException("cursor is malformed: its comment id is empty");
    }
    PageCursor parsed = new PageCursor(sort, fields[0], score, postedAtMillis, id);
    // Base64 has several spellings of the same bytes (padding, trailing bits): accept only ours.
    if (!parsed.encode().equals(cursor)) {
      throw new InvalidCursorException("cursor is not in canonical form");
    }
    return parsed;
  }

  /**
   * Where the next page starts in {@code sorted} (the thread's top-level comments in this cursor's
   * sort): the first comment after this cursor's, found by binary search.
   */
  int startIn(List<StoredComment> sorted) {
    StoredComment probe =
        new StoredComment(
            id,
            null,
            id,
            null,
            null,
            Instant.ofEpochMilli(postedAtMillis),
            null,
            false,
            score,
            0,
            CommentStatus.APPROVED,
            false,
            List.of(),
            null);
    Comparator<StoredComment> order = ThreadState.order(sort);
    int low = 0;
    int high = sorted.size();
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (order.compare(sorted.get(middle), probe) <= 0) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  /**
   * The text inside a cursor: checked for length, URL-safe base64 and UTF-8, each with its own
   * message. Shared by every cursor of the thread view.
   */
  static String text(String cursor) {
    if (cursor.isEmpty()) {
      throw new InvalidCursorException("cursor is empty");
    }
    if (cursor.length() > MAX_LENGTH) {
      throw new InvalidCursorException("cursor is longer than " + MAX_LENGTH + " characters");
    }
    if (!BASE64URL.matcher(cursor).matches()) {
      throw new InvalidCursorException("cursor is not URL-safe base64 text");
    }
    String text;
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(cursor);
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      throw new InvalidCursorException("cursor is not URL-safe base64 of UTF-8 text");
    }
    return text;
  }

  static long number(String text, String field) {
    if (!CANONICAL_LONG.matcher(text).matches()) {
      throw new InvalidCursorException("cursor is malformed: its " + field + " is not a number");
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new InvalidCursorException("cursor is malformed: its " + field + " is out of range");
    }
  }

  private static String code(SortOrder sort) {
    return switch (sort) {
      case NEWEST -> "n";
      case OLDEST -> "o";
      case TOP -> "t";
    };
  }

  private static SortOrder sortOf(String code) {
    return switch (code) {
      case "n" -> SortOrder.NEWEST;
      case "o" -> SortOrder.OLDEST;
      case "t" -> SortOrder.TOP;
      default -> throw new InvalidCursorException("cursor names an unknown sort");
    };
  }

  /** A short digest of the thread: enough to tell threads apart, without spelling them out. */
  static String threadKey(ThreadId thread) {
    return digest(thread.streamId());
  }

  /** The first 9 bytes of the SHA-256 of {@code text}, as URL-safe base64. */
  static String digest(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 9));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
