package dev.comments.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The ids' checks are written out by hand; they must accept exactly what their patterns say. */
class ThreadIdTest {
  private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern THREAD = Pattern.compile("[A-Za-z0-9._~:-]{1,200}");

  /**
   * Mostly the ids' own characters, with their edges and a few others (slash, space, non-ASCII).
   */
  private static final String CHARACTERS = "az09AZ-._~:/ %é\u0000";

  @Test
  void accepts_exactly_what_the_documented_patterns_accept() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      int length = random.nextInt(10) == 0 ? 190 + random.nextInt(20) : random.nextInt(70);
      StringBuilder id = new StringBuilder(length);
      for (int j = 0; j < length; j++) {
        id.append(CHARACTERS.charAt(random.nextInt(CHARACTERS.length())));
      }
      String text = id.toString();
      assertThat(ThreadId.isValidTenant(text)).as(text).isEqualTo(TENANT.matcher(text).matches());
      assertThat(ThreadId.isValidThread(text)).as(text).isEqualTo(THREAD.matcher(text).matches());
    }
  }

  @Test
  void knows_the_edges_of_each_id() {
    assertThat(ThreadId.isValidTenant("a".repeat(63))).isTrue();
    assertThat(ThreadId.isValidTenant("a".repeat(64))).isFalse();
    assertThat(ThreadId.isValidTenant("-a")).isFalse();
    assertThat(ThreadId.isValidTenant("a-")).isTrue();
    assertThat(ThreadId.isValidTenant("")).isFalse();
    assertThat(ThreadId.isValidTenant(null)).isFalse();
    assertThat(ThreadId.isValidThread("T".repeat(200))).isTrue();
    assertThat(ThreadId.isValidThread("T".repeat(201))).isFalse();
    assertThat(ThreadId.isValidThread("")).isFalse();
    assertThat(ThreadId.isValidThread(null)).isFalse();
    assertThatThrownBy(() -> new ThreadId("Demo", "t")).hasMessageContaining("tenant");
    assertThatThrownBy(() -> new ThreadId("demo", "a/b")).hasMessageContaining("thread");
    assertThat(ThreadId.ofStreamId("demo/t-1")).isEqualTo(new ThreadId("demo", "t-1"));
  }
}
