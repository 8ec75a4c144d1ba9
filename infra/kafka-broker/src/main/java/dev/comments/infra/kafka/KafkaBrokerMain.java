package dev.comments.infra.kafka;

/**
 * The child process's entry point: runs {@code kafka.Kafka} and exits when the parent goes away
 * ({@link ParentLifeline}), so that a crashed launcher leaves no orphan broker.
 */
public final class KafkaBrokerMain {
  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    Thread lifeline = ParentLifeline.watch();
    Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) args);
    lifeline.interrupt();
  }
}
