package dev.comments.edge;

import dev.comments.events.ReadPreference;
import dev.comments.query.AuditLog;
import dev.comments.query.DeadLetter;
import dev.comments.query.ProjectionAdmin;
import java.util.List;
import java.util.Objects;

/**
 * The query side's ports for moderators' and operators' look back: the audit log (and threads as
 * they were), and the node's projections (rebuilds, checksums, dead letters).
 */
public record History(AuditLog audit, ProjectionAdmin projections) {
  /** For edges of tests that keep no history: nothing audited, no projections. */
  public static final History NONE =
      new History(
          AuditLog.NONE,
          new ProjectionAdmin() {
            @Override
            public List<Info> list() {
              return List.of();
            }

            @Override
            public Info info(String name) {
              throw new UnknownProjectionException(name);
            }

            @Override
            public Progress rebuild(String name) {
              throw new UnknownProjectionException(name);
            }

            @Override
            public Checksum checksum(String name, ReadPreference readPreference) {
              throw new UnknownProjectionException(name);
            }

            @Override
            public List<DeadLetter> deadLetters(ReadPreference readPreference) {
              return List.of();
            }

            @Override
            public RetryResult retryDeadLetters() {
              return new RetryResult(0, 0, 0);
            }
          });

  public History {
    Objects.requireNonNull(audit, "audit");
    Objects.requireNonNull(projections, "projections");
  }
}
