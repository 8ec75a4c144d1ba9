package dev.comments.command.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The barrier of pipelined appends, with the store's writes stood in for: a barrier that can be
 * held, counted and failed, and listeners that record what they hear and when.
 */
class DurableAppendsTest {
  private static final String HOT = "demo/hot";
  private static final String OTHER = "demo/other";

  private final AtomicInteger barriers = new AtomicInteger();
  private final AtomicBoolean failing = new AtomicBoolean();
  private volatile CountDownLatch holdBarrier = new CountDownLatch(0);
  private final CountDownLatch barrierEntered = new CountDownLatch(1);
  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final List<String> evicted = new CopyOnWriteArrayList<>();
  private final ExecutorService commands = Executors.newFixedThreadPool(8);

  private final DurableAppends appends =
      new DurableAppends(
          true,
          () -> {
            barrierEntered.countDown();
            try {
              holdBarrier.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            barriers.incrementAndGet();
            if (failing.get()) {
              throw new IllegalStateException("the store could not commit");
            }
          },
          List.of(
              new AppendListener() {
                @Override
                public void appended(
                    String stream, List<DomainEventMessage<?>> events, long publishedBefore) {
                  events.forEach(e -> heard.add(stream + "#" + e.getSequenceNumber()));
                }

                @Override
                public void appendFailed(String stream) {
                  heard.add(stream + " failed");
                }
              }),
          evicted::add);

  @AfterEach
  void stop() throws InterruptedException {
    holdBarrier.countDown();
    commands.shutdown();
    assertThat(commands.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void a_command_alone_on_its_thread_appends_journaled_and_is_heard_at_once() {
    DurableAppends.Started alone = appends.started(HOT);

    assertThat(appends.pipelines(HOT)).isFalse();
    appends.stored(HOT, events(HOT, 0), -1);
    appends.finished(alone);

    assertThat(heard).containsExactly(HOT + "#0");
    assertThat(barriers).hasValue(0);
  }

  @Test
  void a_thread_that_others_wait_for_is_pipelined_and_so_is_its_next_append_while_one_waits() {
    DurableAppends.Started first = appends.started(HOT);
    DurableAppends.Started second = appends.started(HOT);
    assertThat(appends.pipelines(HOT)).isTrue();
    assertThat(appends.pipelines(OTHER)).isFalse();

    appends.storedUnjournaled(HOT, events(HOT, 0), -1);
    // The first command's barrier has not run: the thread's next append must wait behind it.
    DurableAppends.Started alone = appends.started(OTHER);
    assertThat(appends.pipelines(OTHER)).isFalse();
    appends.finished(alone);
    assertThat(appends.pipelines(HOT)).isTrue();

    appends.finished(first);
    appends.finished(second);
    assertThat(appends.pipelines(HOT)).isFalse();
  }

  @Test
  void a_pipelined_command_is_answered_and_heard_only_after_the_barrier_returned()
      throws Exception {
    holdBarrier = new CountDownLatch(1);
    DurableAppends.Started command = appends.started(HOT);
    appends.storedUnjournaled(HOT, events(HOT, 0), -1);

    CompletableFuture<Void> answered =
        CompletableFuture.runAsync(() -> appends.finished(command), commands);
    assertThat(barrierEntered.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(answered).isNotDone();
    assertThat(heard).isEmpty();
    holdBarrier.countDown();
    answered.get(10, TimeUnit.SECONDS);
    assertThat(heard).containsExactly(HOT + "#0");
    assertThat(barriers).hasValue(1);
  }

  @Test
  void commands_that_appended_while_a_barrier_was_written_share_the_next_one() throws Exception {
    holdBarrier = new CountDownLatch(1);
    DurableAppends.Started first = appends.started(HOT);
    appends.storedUnjournaled(HOT, events(HOT, 0), -1);
    CompletableFuture<Void> firstAnswered =
        CompletableFuture.runAsync(() -> appends.finished(first), commands);
    assertThat(barrierEntered.await(10, TimeUnit.SECONDS)).isTrue();

    // Seven more commands append while the first barrier is held: one more barrier covers them.
    List<CompletableFuture<Void>> answers = new ArrayList<>();
    for (int seq = 1; seq <= 7; seq++) {
      DurableAppends.Started next = appends.started(HOT);
      appends.storedUnjournaled(HOT, events(HOT, seq), -1);
      answers.add(CompletableFuture.runAsync(() -> appends.finished(next), commands));
    }
    holdBarrier.countDown();
    firstAnswered.get(10, TimeUnit.SECONDS);
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

    assertThat(barriers).hasValue(2);
    assertThat(heard)
        .containsExactly(
            HOT + "#0",
            HOT + "#1",
            HOT + "#2",
            HOT + "#3",
            HOT + "#4",
            HOT + "#5",
            HOT + "#6",
            HOT + "#7");
  }

  @Test
  void a_command_waits_only_for_the_appends_made_before_its_answer_not_for_later_ones()
      throws Exception {
    DurableAppends.Started first = appends.started(HOT);
    DurableAppends.Started second = appends.started(HOT);
    appends.storedUnjournaled(HOT, events(HOT, 0), -1);
    holdBarrier = new CountDownLatch(1);
    CompletableFuture<Void> firstAnswered =
        CompletableFuture.runAsync(() -> appends.finished(first), commands);
    assertThat(barrierEntered.await(10, TimeUnit.SECONDS)).isTrue();

    // The thread goes on appending while the barrier that covers the first command is written.
    appends.storedUnjournaled(HOT, events(HOT, 1), -1);
    holdBarrier.countDown();
    firstAnswered.get(10, TimeUnit.SECONDS);

    assertThat(barriers).hasValue(1);
    appends.finished(second);
    assertThat(barriers).hasValue(2);
  }

  @Test
  void a_failed_barrier_fails_every_command_it_covered_evicts_the_thread_and_hands_off_nothing()
      throws Exception {
    failing.set(true);
    holdBarrier = new CountDownLatch(1);
    List<CompletableFuture<Void>> answers = new ArrayList<>();
    for (int seq = 0; seq < 3; seq++) {
      DurableAppends.Started command = appends.started(HOT);
      appends.storedUnjournaled(HOT, events(HOT, seq), -1);
      answers.add(CompletableFuture.runAsync(() -> appends.finished(command), commands));
    }
    assertThat(barrierEntered.await(10, TimeUnit.SECONDS)).isTrue();
    holdBarrier.countDown();

    for (CompletableFuture<Void> answer : answers) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(answer).isCompletedExceptionally());
    }
    assertThat(evicted).containsExactly(HOT);
    assertThat(heard).containsExactly(HOT + " failed");
  }

  @Test
  void a_command_answered_from_the_threads_memory_fails_when_an_append_it_may_rest_on_failed() {
    failing.set(true);
    DurableAppends.Started appender = appends.started(HOT);
    appends.storedUnjournaled(HOT, events(HOT, 0), -1);
    // A retry under the first one's idempotency key, answered from memory: it appends nothing.
    DurableAppends.Started retry = appends.started(HOT);

    assertThatThrownBy(() -> appends.finished(appender)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> appends.finished(retry)).isInstanceOf(IllegalStateException.class);

    // The store is back: the next command on the thread is answered as usual.
    failing.set(false);
    DurableAppends.Started next = appends.started(HOT);
    appends.stored(HOT, events(HOT, 0), -1);
    appends.finished(next);
    assertThat(heard).containsExactly(HOT + " failed", HOT + "#0");
  }

  private static List<DomainEventMessage<?>> events(String stream, long seq) {
    return List.of(new GenericDomainEventMessage<>("thread", stream, seq, "event " + seq));
  }
}
