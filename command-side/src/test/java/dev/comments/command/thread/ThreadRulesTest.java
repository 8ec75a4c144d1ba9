package dev.comments.command.thread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import org.junit.jupiter.api.Test;

class ThreadRulesTest {
  private final ThreadRules rules = ThreadRules.defaults();

  @Test
  void removes_bidi_overrides_and_isolates_so_text_reads_in_its_stored_order() {
    // The "Trojan Source" pattern: an override makes the reader see another order than stored.
    String text = "access \u202Eresu\u202C granted \u2066if admin\u2069 \u202Aa\u202B\u202D";

    assertThat(rules.commentText(text)).isEqualTo("access resu granted if admin a");
  }

  @Test
  void removes_zero_width_and_other_invisible_format_characters() {
    String text = "\uFEFFfree\u200Bmoney\u2060now\u2061\u2062\u2063\u2064\u200E\u200F\u00AD!";

    assertThat(rules.commentText(text)).isEqualTo("freemoneynow!");
    assertThat(rules.flagReason("sp\u200Bam\u202E")).isEqualTo("spam");
  }

  @Test
  void keeps_the_joiners_that_scripts_and_emoji_need() {
    String persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645";
    String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67";

    assertThat(rules.commentText(persian)).isEqualTo(persian);
    assertThat(rules.commentText(family)).isEqualTo(family);
  }

  @Test
  void text_of_nothing_but_format_characters_is_empty() {
    assertThatThrownBy(() -> rules.commentText(" \u202E\u200B\u2066 "))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> assertThat(e.rejection()).isEqualTo(Rejection.TEXT_EMPTY));
  }
}
