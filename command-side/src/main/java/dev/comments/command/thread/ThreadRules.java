package dev.comments.command.thread;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import dev.comments.events.moderation.ModerationPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The tunable limits of a thread and the text checks shared by its commands. Injected into the
 * aggregate's handlers (it is a component of the Axon configuration), so the limits come from
 * settings while the aggregate stays free of I/O.
 *
 * <p>Text is neutralised before it is checked: every invisible format character (Unicode category
 * Cf: bidirectional embeddings, overrides, isolates and marks, zero-width spaces, word joiners, the
 * byte order mark, tag characters) is removed, so a comment cannot show a reader an order of
 * characters other than the one stored ("Trojan Source"), nor hide text in plain sight. Only the
 * zero-width non-joiner and joiner (U+200C, U+200D) stay: Persian and Indic scripts and emoji
 * sequences need them, and they reorder nothing.
 *
 * <p>Depth counts levels: a top-level comment has depth 1, a reply to it depth 2, and so on; a
 * reply whose depth would exceed {@code maxReplyDepth} is refused. With the default of 5 a thread
 * shows at most five levels of nesting.
 *
 * @param maxReplyDepth the deepest level a comment may sit at (at least 1)
 * @param editWindow how long after posting its author may still edit a comment
 */
public record ThreadRules(
    int maxReplyDepth, Duration editWindow, Map<String, ModerationPolicy> policies) {
  public static final int MAX_TEXT_CODE_POINTS = 10_000;
  public static final int MAX_REASON_CODE_POINTS = 500;

  private static final int ZERO_WIDTH_NON_JOINER = 0x200C;
  private static final int ZERO_WIDTH_JOINER = 0x200D;

  public ThreadRules {
    Objects.requireNonNull(editWindow, "editWindow");
    policies = Map.copyOf(policies);
    if (maxReplyDepth < 1) {
      throw new IllegalArgumentException("maxReplyDepth must be at least 1: " + maxReplyDepth);
    }
    if (editWindow.isNegative()) {
      throw new IllegalArgumentException("editWindow must not be negative: " + editWindow);
    }
  }

  /** Every tenant moderated by {@link ModerationPolicy#DEFAULTS}. */
  public ThreadRules(int maxReplyDepth, Duration editWindow) {
    this(maxReplyDepth, editWindow, Map.of());
  }

  public static ThreadRules defaults() {
    return new ThreadRules(5, Duration.ofMinutes(15));
  }

  /** How {@code tenant} moderates: its own policy, else {@link ModerationPolicy#DEFAULTS}. */
  public ModerationPolicy policy(String tenant) {
    return policies.getOrDefault(tenant, ModerationPolicy.DEFAULTS);
  }

  /** A moderator's reason: null when none was given, else checked like a flag's reason. */
  public String moderationReason(String raw) {
    return raw == null ? null : flagReason(raw);
  }

  /** Returns the text to store (neutralised, stripped), or refuses it with the rule it breaks. */
  public String commentText(String raw) {
    String text = raw == null ? "" : withoutInvisibleFormatting(raw).strip();
    if (text.isEmpty()) {
      throw new CommandRejectedException(Rejection.TEXT_EMPTY, "the text is empty");
    }
    String invalid = firstInvalidCharacter(text);
    if (invalid != null) {
      throw new CommandRejectedException(Rejection.TEXT_INVALID, "the text contains " + invalid);
    }
    int length = text.codePointCount(0, text.length());
    if (length > MAX_TEXT_CODE_POINTS) {
      throw new CommandRejectedException(
          Rejection.TEXT_TOO_LONG,
          "the text is "
              + length
              + " characters long; at most "
              + MAX_TEXT_CODE_POINTS
              + " are allowed");
    }
    return text;
  }

  /** Returns the flag reason to store (neutralised, stripped), or refuses it. */
  public String flagReason(String raw) {
    String reason = raw == null ? "" : withoutInvisibleFormatting(raw).strip();
    String invalid = firstInvalidCharacter(reason);
    int length = reason.codePointCount(0, reason.length());
    if (reason.isEmpty() || invalid != null || length > MAX_REASON_CODE_POINTS) {
      throw new CommandRejectedException(
          Rejection.REASON_INVALID,
          "a flag reason must be 1 to "
              + MAX_REASON_CODE_POINTS
              + " characters of text"
              + (invalid != null ? "; it contains " + invalid : "; it has " + length));
    }
    return reason;
  }

  /** {@code text} without the format characters that could change what a reader sees. */
  static String withoutInvisibleFormatting(String text) {
    if (text.codePoints().noneMatch(ThreadRules::isRemovedFormat)) {
      return text;
    }
    StringBuilder kept = new StringBuilder(text.length());
    text.codePoints().filter(cp -> !isRemovedFormat(cp)).forEach(kept::appendCodePoint);
    return kept.toString();
  }

  private static boolean isRemovedFormat(int codePoint) {
    return Character.getType(codePoint) == Character.FORMAT
        && codePoint != ZERO_WIDTH_NON_JOINER
        && codePoint != ZERO_WIDTH_JOINER;
  }

  /**
   * Describes the first character that cannot be stored: an unpaired surrogate (the sign of text
   * that was never valid UTF-16/UTF-8) or a control character other than newline and tab.
   */
  private static String firstInvalidCharacter(String text) {
    int[] codePoints = text.codePoints().toArray();
    for (int i = 0; i < codePoints.length; i++) {
      int cp = codePoints[i];
      int type = Character.getType(cp);
      if (type == Character.SURROGATE) {
        return String.format("an unpaired surrogate U+%04X at character %d", cp, i + 1);
      }
      if (type == Character.CONTROL && cp != '\n' && cp != '\t') {
        return String.format("the control character U+%04X at character %d", cp, i + 1);
      }
    }
    return null;
  }
}
