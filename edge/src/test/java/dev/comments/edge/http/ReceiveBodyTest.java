package dev.comments.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.io.Receiver;
import io.undertow.server.RequestTooBigException;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReceiveBodyTest {
  private final ReceiveBody receive = new ReceiveBody(1024, Duration.ofSeconds(1), exchange -> {});

  @Test
  void maps_a_body_past_the_limit_to_413() {
    for (IOException tooLarge :
        new IOException[] {new Receiver.RequestToLargeException(), new RequestTooBigException()}) {
      ApiException e = receive.failure(tooLarge);

      assertThat(e.status()).isEqualTo(413);
      assertThat(e.code()).isEqualTo("body_too_large");
      assertThat(e.getMessage()).contains("limit of 1024 bytes");
    }
  }

  @Test
  void maps_an_aborted_body_to_400_without_its_cause() {
    ApiException e = receive.failure(new IOException("connection reset by 10.0.0.7"));

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.code()).isEqualTo("body_unreadable");
    assertThat(e.getMessage()).doesNotContain("10.0.0.7");
  }
}
