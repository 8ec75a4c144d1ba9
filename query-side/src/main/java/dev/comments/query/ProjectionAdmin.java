package dev.comments.query;

import dev.comments.events.ReadPreference;
import java.time.Instant;
import java.util.List;

/**
 * What an operator does with this node's projections: list them, rebuild one from the start of the
 * log beside the live copy (swapped in when caught up), compare their content by checksum, and look
 * at and retry the events parked as dead letters.
 */
public interface ProjectionAdmin {
  /** A projection of this node: its code version and the generation of its live copy. */
  record Info(String name, int version, int generation, boolean rebuilding, Progress lastRebuild) {}

  /**
   * A rebuild's progress. {@code percent} of the log's records (at its start) applied to the shadow
   * copy, at {@code eventsPerSecond} so far; {@code etaSeconds} -1 while unknown. {@code state} is
   * {@code running}, {@code swapped} (done and serving) or {@code failed} ({@code error}).
   */
  record Progress(
      String name,
      int generation,
      String state,
      Instant startedAt,
      Instant finishedAt,
      double percent,
      long applied,
      long total,
      double eventsPerSecond,
      long etaSeconds,
      String error) {}

  /** A projection's content as a SHA-256 over its documents in {@code _id} order. */
  record Checksum(String name, int generation, long documents, String sha256) {}

  /** What a retry of the dead letters did. */
  record RetryResult(int retried, int applied, int failed) {}

  /** A name no projection of this node has. */
  final class UnknownProjectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnknownProjectionException(String name) {
      super("there is no projection '" + name + "'");
    }
  }

  /** A rebuild asked for while one of the same projection runs. */
  final class RebuildInProgressException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RebuildInProgressException(String name) {
      super("projection '" + name + "' is being rebuilt already");
    }
  }

  List<Info> list();

  Info info(String name);

  /** Starts a rebuild and returns at once with its first progress. */
  Progress rebuild(String name);

  Checksum checksum(String name, ReadPreference readPreference);

  List<DeadLetter> deadLetters(ReadPreference readPreference);

  /** Applies every parked letter again, on the consumer thread; succeeded ones are removed. */
  RetryResult retryDeadLetters();
}
