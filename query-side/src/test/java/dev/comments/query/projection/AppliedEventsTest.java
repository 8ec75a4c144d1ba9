package dev.comments.query.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.ThreadLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AppliedEventsTest {
  private final AppliedEvents events = new AppliedEvents();
  private final ThreadLog log = ThreadLog.of("demo", "t");

  @Test
  void a_waiter_is_released_by_its_seq_or_a_later_one_of_its_thread_only() {
    CompletableFuture<Void> two = events.whenReached(log.thread(), 2);
    CompletableFuture<Void> elsewhere = events.whenReached(new ThreadId("demo", "u"), 0);
    log.post("a", null, "x");
    log.post("b", null, "x");
    EventEnvelope seq1 = log.last();
    log.post("c", null, "x");
    EventEnvelope seq3 = log.post("d", null, "x");

    events.published(seq1);
    assertThat(two).isNotDone();
    events.published(seq3);

    assertThat(two).isCompleted();
    assertThat(elsewhere).isNotDone();
    elsewhere.cancel(false);
    assertThat(events.waiterCount()).isZero();
  }

  @Test
  void listeners_hear_every_event_until_unsubscribed_and_a_failing_one_harms_no_other()
      throws Exception {
    List<Long> heard = new ArrayList<>();
    events.subscribe(
        e -> {
          throw new IllegalStateException("broken listener");
        });
    AutoCloseable subscription = events.subscribe(e -> heard.add(e.seq()));

    events.published(log.post("a", null, "x"));
    subscription.close();
    events.published(log.post("b", null, "x"));

    assertThat(heard).containsExactly(0L);
  }
}
