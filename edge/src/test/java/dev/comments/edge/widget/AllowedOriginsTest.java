package dev.comments.edge.widget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllowedOriginsTest {
  private final AllowedOrigins origins =
      AllowedOrigins.of(List.of("https://news.example", "http://localhost:*"));

  @Test
  void allows_a_listed_origin_with_its_default_port_written_or_not() {
    assertThat(origins.allows("https://news.example")).isTrue();
    assertThat(origins.allows("https://news.example:443")).isTrue();
    assertThat(origins.allows("HTTPS://NEWS.EXAMPLE")).isTrue();
  }

  @Test
  void allows_any_port_only_where_the_entry_says_so() {
    assertThat(origins.allows("http://localhost:5173")).isTrue();
    assertThat(origins.allows("http://localhost")).isTrue();
    assertThat(origins.allows("https://news.example:8443")).isFalse();
  }

  @Test
  void refuses_other_schemes_hosts_lookalikes_and_nonsense() {
    assertThat(origins.allows("http://news.example")).isFalse();
    assertThat(origins.allows("https://evil.news.example")).isFalse();
    assertThat(origins.allows("https://news.example.evil")).isFalse();
    assertThat(origins.allows("null")).isFalse();
    assertThat(origins.allows(null)).isFalse();
    assertThat(origins.allows("http://localhost:*")).isFalse();
    assertThat(AllowedOrigins.NONE.allows("https://news.example")).isFalse();
  }

  @Test
  void refuses_a_setting_that_is_not_an_origin() {
    for (String bad :
        List.of("news.example", "https://news.example/path", "ftp://x", "https://*.example", "")) {
      assertThatThrownBy(() -> AllowedOrigins.of(List.of(bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not an origin");
    }
  }
}
