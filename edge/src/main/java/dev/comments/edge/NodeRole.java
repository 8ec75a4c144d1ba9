package dev.comments.edge;

import dev.comments.command.CommentCommands;
import dev.comments.command.IdempotencyKeys;
import dev.comments.command.MediaCommands;
import dev.comments.command.ModeratorRecords;
import dev.comments.command.SessionRecords;
import dev.comments.command.ThreadPositions;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a node's edge does with commands: the primary runs them against the event store; a replica
 * forwards them to the primary. Both serve reads from their own projection.
 */
public sealed interface NodeRole {
  /** The node of the primary region, where commands (sign-outs included) run. */
  record Primary(
      CommentCommands commands,
      IdempotencyKeys idempotencyKeys,
      ThreadPositions positions,
      SessionRecords revocations,
      ModeratorRecords moderators,
      Optional<MediaCommands> media)
      implements NodeRole {
    /**
     * A primary whose tenants have no moderators of their own and that takes no media uploads
     * (tests of other features).
     */
    public Primary(
        CommentCommands commands,
        IdempotencyKeys idempotencyKeys,
        ThreadPositions positions,
        SessionRecords revocations) {
      this(
          commands,
          idempotencyKeys,
          positions,
          revocations,
          ModeratorRecords.NONE,
          Optional.empty());
    }

    public Primary {
      Objects.requireNonNull(commands, "commands");
      Objects.requireNonNull(idempotencyKeys, "idempotencyKeys");
      Objects.requireNonNull(positions, "positions");
      Objects.requireNonNull(revocations, "revocations");
      Objects.requireNonNull(moderators, "moderators");
      Objects.requireNonNull(media, "media");
    }
  }

  /**
   * A node of another region.
   *
   * @param primaryUrl the primary's edge, e.g. {@code http://127.0.1.1:8080}
   * @param timeout how long one request to the primary may take before the client gets {@code 503
   *     primary_unavailable}
   */
  record Replica(URI primaryUrl, Duration timeout) implements NodeRole {
    public Replica {
      Objects.requireNonNull(primaryUrl, "primaryUrl");
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
    }
  }

  /** The name operators see: {@code primary} or {@code replica}. */
  default String wireName() {
    return this instanceof Primary ? "primary" : "replica";
  }
}
