package dev.comments.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BoundedBodyTest {
  private static final int MAX = 1024;

  @Test
  void reads_a_body_of_declared_length() {
    assertThat(BoundedBody.read(new ByteArrayInputStream(new byte[MAX]), MAX, MAX)).hasSize(MAX);
  }

  @Test
  void reads_a_chunked_body_up_to_the_limit() {
    assertThat(BoundedBody.read(new ByteArrayInputStream(new byte[MAX]), -1, MAX)).hasSize(MAX);
    assertThat(BoundedBody.read(new ByteArrayInputStream(new byte[0]), -1, MAX)).isEmpty();
  }

  @Test
  void refuses_a_declared_length_over_the_limit_without_reading() {
    CountingStream in = new CountingStream(Long.MAX_VALUE);

    assertTooLarge(() -> BoundedBody.read(in, MAX + 1, MAX), "1025 bytes");
    assertThat(in.served.get()).isZero();
  }

  @Test
  void cuts_off_an_endless_chunked_body_one_byte_past_the_limit() {
    CountingStream in = new CountingStream(Long.MAX_VALUE);

    assertTooLarge(() -> BoundedBody.read(in, -1, MAX), "limit of 1024");
    assertThat(in.served.get()).isEqualTo(MAX + 1);
  }

  @Test
  void maps_an_aborted_body_to_400() {
    InputStream broken =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("connection reset");
          }
        };

    assertThatThrownBy(() -> BoundedBody.read(broken, -1, MAX))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.code()).isEqualTo("body_unreadable"));
  }

  private static void assertTooLarge(Runnable read, String messagePart) {
    assertThatThrownBy(read::run)
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(413);
              assertThat(e.code()).isEqualTo("body_too_large");
              assertThat(e.getMessage()).contains(messagePart);
            });
  }

  /** Serves zero bytes up to a length and counts what it served. */
  private static final class CountingStream extends InputStream {
    final AtomicLong served = new AtomicLong();
    private final long length;

    CountingStream(long length) {
      this.length = length;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : 0;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) {
      long left = length - served.get();
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(count, left);
      served.addAndGet(n);
      return n;
    }
  }
}
